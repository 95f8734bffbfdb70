using MQTTnet;
using MQTTnet.Protocol;
using StreamLinq.Sources;

namespace StreamLinq.Mqtt;

/// <summary>
/// A push source on the public <see cref="PushSource{T}"/>: an MQTT client subscribed at QoS 1 in a
/// persistent session (MQTT 3.1.1, clean session off), storing each message into the receiver and
/// acknowledging it (PUBACK) only once stored, so that the broker redelivers what the driver had not
/// taken. A lost connection is retried every <see cref="MqttSourceOptions.ReconnectDelay"/>, each
/// failure reported as a source error.
/// </summary>
internal sealed class MqttSource(string host, int port, string[] topics, MqttSourceOptions options)
    : PushSource<MqttMessage>($"Mqtt({host}:{port} {string.Join(",", topics)})", options.Receiver)
{
    protected override async Task ReceiveAsync(CancellationToken cancellationToken)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var lost = new SemaphoreSlim(0);
        client.ApplicationMessageReceivedAsync += e => OnMessageAsync(e, cancellationToken);
        client.DisconnectedAsync += e =>
        {
            // A failed attempt raises this too (ClientWasConnected false); only a lost connection wakes the loop.
            if (e.ClientWasConnected && !cancellationToken.IsCancellationRequested)
            {
                ReportError(new SourceException(Name, $"lost the connection to the broker at {host}:{port}: {e.Reason}; reconnecting", e.Exception) { IsTransient = true });
                lost.Release();
            }

            return Task.CompletedTask;
        };

        var connect = new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithClientId(options.ClientId)
            .WithCleanSession(false)
            // MQTT 3.1.1: in MQTT 5 a session without an expiry interval would end at each disconnect.
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311)
            .WithTimeout(TimeSpan.FromSeconds(5))
            .Build();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await client.ConnectAsync(connect, cancellationToken).ConfigureAwait(false);
                    var subscribe = new MqttClientSubscribeOptionsBuilder();
                    foreach (var topic in topics)
                    {
                        subscribe.WithTopicFilter(topic, MqttQualityOfServiceLevel.AtLeastOnce);
                    }

                    await client.SubscribeAsync(subscribe.Build(), cancellationToken).ConfigureAwait(false);
                    await lost.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception error) when (!cancellationToken.IsCancellationRequested && error is not OperationCanceledException)
                {
                    ReportError(new SourceException(Name, $"cannot connect to the broker at {host}:{port}: {error.Message}", error) { IsTransient = true });
                    await Task.Delay(options.ReconnectDelay, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            if (client.IsConnected)
            {
                // Disconnected cleanly, the session stays on the broker with what was not acknowledged.
                await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e, CancellationToken cancellationToken)
    {
        // Acknowledged only once stored (and logged, with a write-ahead log): a message the
        // driver never took is redelivered by the broker from the persistent session.
        e.AutoAcknowledge = false;
        try
        {
            await StoreAsync(new MqttMessage(e.ApplicationMessage.Topic, System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload)), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is OperationCanceledException or InvalidOperationException)
        {
            // Arrived during a stop: not acknowledged, so the broker keeps it for the next run.
            return;
        }

        await e.AcknowledgeAsync(CancellationToken.None).ConfigureAwait(false);
    }
}
