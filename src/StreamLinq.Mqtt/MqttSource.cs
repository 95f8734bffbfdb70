using MQTTnet;
using MQTTnet.Protocol;
using StreamLinq.Sources;

namespace StreamLinq.Mqtt;

/// <summary>
/// A push source: an MQTT client subscribed at QoS 1 in a persistent session, storing each message
/// into a receiver and acknowledging it (PUBACK) only once stored, so that the broker redelivers
/// what the driver had not taken. A lost connection is retried every
/// <see cref="MqttSourceOptions.ReconnectDelay"/>, each failure reported as a source error.
/// </summary>
internal sealed class MqttSource(string host, int port, string[] topics, MqttSourceOptions options) : IBatchSource<MqttMessage>, IReceiverSource<MqttMessage>, IRateControlledSource
{
    private readonly Receiver<MqttMessage> _receiver = new(options.Receiver);
    private readonly CancellationTokenSource _stop = new();
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private SourceContext? _context;
    private Task _connecting = Task.CompletedTask;

    public string Name => $"Mqtt({host}:{port} {string.Join(",", topics)})";

    public Receiver<MqttMessage> Receiver => _receiver;

    public bool HasPending => _receiver.Pending > 0;

    public void SetRate(double recordsPerSecond) => _receiver.SetRate(recordsPerSecond);

    public void Start(SourceContext context)
    {
        _receiver.OpenLog(context, Name);
        _context = context;
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        var stopping = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, context.Stopping).Token;
        _client.DisconnectedAsync += e =>
        {
            // A failed attempt raises this too (ClientWasConnected false): the loop that made it
            // goes on by itself, so only a lost connection starts a new one.
            if (e.ClientWasConnected && !stopping.IsCancellationRequested)
            {
                _context?.ReportError(Name, new SourceException(Name, $"lost the connection to the broker at {host}:{port}: {e.Reason}; reconnecting", e.Exception) { IsTransient = true });
                _connecting = Task.Run(() => ConnectAsync(stopping), CancellationToken.None);
            }

            return Task.CompletedTask;
        };
        _connecting = Task.Run(() => ConnectAsync(stopping), CancellationToken.None);
    }

    /// <summary>Connects (resuming the persistent session) and subscribes, retrying until it succeeds or the source stops.</summary>
    private async Task ConnectAsync(CancellationToken cancellationToken)
    {
        var connect = new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithClientId(options.ClientId)
            .WithCleanSession(false)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311)
            .WithTimeout(TimeSpan.FromSeconds(5))
            .Build();
        while (!cancellationToken.IsCancellationRequested && !_client.IsConnected)
        {
            try
            {
                await _client.ConnectAsync(connect, cancellationToken).ConfigureAwait(false);
                var subscribe = new MqttClientSubscribeOptionsBuilder();
                foreach (var topic in topics)
                {
                    subscribe.WithTopicFilter(topic, MqttQualityOfServiceLevel.AtLeastOnce);
                }

                await _client.SubscribeAsync(subscribe.Build(), cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                _context?.ReportError(Name, new SourceException(Name, $"cannot connect to the broker at {host}:{port}: {error.Message}", error) { IsTransient = true });
                try
                {
                    await Task.Delay(options.ReconnectDelay, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        // Acknowledged only once stored (and logged, with a write-ahead log): a message the
        // driver never took is redelivered by the broker from the persistent session.
        e.AutoAcknowledge = false;
        try
        {
            await _receiver.StoreAsync(new MqttMessage(e.ApplicationMessage.Topic, System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload)), _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (ReceiverClosedException)
        {
            // Arrived during a graceful stop: not acknowledged, so the broker keeps it for the next run.
            return;
        }

        await e.AcknowledgeAsync(CancellationToken.None).ConfigureAwait(false);
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _receiver.Close();
        try
        {
            await _connecting.ConfigureAwait(false);
            if (_client.IsConnected)
            {
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build()).ConfigureAwait(false);
            }
        }
        catch (Exception error) when (error is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
        {
            // Already gone: nothing to close.
        }

        _client.Dispose();
    }

    public ISealedInput Seal(BatchTime time) => _receiver.SealInput(out _);
}
