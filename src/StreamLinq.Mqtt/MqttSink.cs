using MQTTnet;
using MQTTnet.Protocol;

namespace StreamLinq.Mqtt;

/// <summary>
/// Publishes each batch's records to an MQTT broker at QoS 1, waiting for every acknowledgement.
/// </summary>
/// <typeparam name="T">The type of the records published.</typeparam>
/// <remarks>
/// <para>At least once: MQTT has no deduplication, so a replayed or retried batch publishes its
/// messages again (consumers of sensor data usually key them). A publish that fails (the broker is
/// down) fails the batch with the cause; the restart strategy retries it on a new connection.</para>
/// <para>Per batch; no state across batches. Dispose it after the context stops.</para>
/// </remarks>
public sealed class MqttSink<T> : IBatchSink<T>, IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly MqttClientOptions _connect;
    private readonly Func<T, string> _topic;
    private readonly Func<T, byte[]> _payload;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Creates a sink that publishes to the broker at <paramref name="host"/>:<paramref name="port"/>.</summary>
    /// <param name="host">The broker's host.</param>
    /// <param name="port">The broker's port.</param>
    /// <param name="clientId">The sink's client id; unique on the broker.</param>
    /// <param name="topic">The topic of a record.</param>
    /// <param name="payload">The payload of a record.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="host"/> or <paramref name="clientId"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is not a TCP port.</exception>
    public MqttSink(string host, int port, string clientId, Func<T, string> topic, Func<T, byte[]> payload)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(payload);
        _connect = new MqttClientOptionsBuilder().WithTcpServer(host, port).WithClientId(clientId).WithCleanSession(true).WithTimeout(TimeSpan.FromSeconds(5)).Build();
        _topic = topic;
        _payload = payload;
    }

    /// <summary>Publishes the batch at QoS 1, connecting first when the connection is down.</summary>
    /// <param name="batch">The batch's records.</param>
    /// <param name="time">The batch time.</param>
    /// <param name="cancellationToken">Cancels the publishing.</param>
    /// <exception cref="IOException">The broker refused a message; the message says which and why.</exception>
    public async Task WriteBatchAsync(IReadOnlyList<T> batch, BatchTime time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_client.IsConnected)
            {
                await _client.ConnectAsync(_connect, cancellationToken).ConfigureAwait(false);
            }

            foreach (var record in batch)
            {
                var topic = _topic(record);
                var message = new MqttApplicationMessageBuilder()
                    .WithTopic(topic)
                    .WithPayload(_payload(record))
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                    .Build();
                var result = await _client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
                if (!result.IsSuccess)
                {
                    throw new IOException($"The broker refused a message to '{topic}' of batch {time}: {result.ReasonCode} {result.ReasonString}");
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Disconnects from the broker.</summary>
    /// <returns>A task that completes once disconnected.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build()).ConfigureAwait(false);
        }

        _client.Dispose();
        _gate.Dispose();
    }
}
