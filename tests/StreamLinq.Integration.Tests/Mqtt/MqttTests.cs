using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using MQTTnet;
using MQTTnet.Protocol;
using StreamLinq.Integration.Tests.Support;
using StreamLinq.Mqtt;

namespace StreamLinq.Integration.Tests.Mqtt;

/// <summary>
/// MQTT in and out against a real Mosquitto started by the test: QoS 1 messages the broker
/// accepted reach the batches across a broker restart (the persistent session holds them), and
/// across a driver that fails before its batch completes (the write-ahead log holds them); the
/// sink publishes every record at QoS 1.
/// </summary>
public sealed class MqttTests
{
    [Fact]
    public async Task Every_message_the_broker_accepted_reaches_a_batch_across_a_broker_restart()
    {
        await using var broker = await MosquittoServer.StartAsync();
        await CreateSessionAsync(broker.Port, "engine-restart");
        var checkpoints = Directory.CreateTempSubdirectory("streamlinq-mqtt-ckpt-");
        try
        {
            var received = new ConcurrentBag<long>();
            var errors = new ConcurrentQueue<string>();
            var context = StreamingContext.GetOrCreate(checkpoints.FullName, () =>
            {
                var context = new StreamingContext(TimeSpan.FromMilliseconds(100));
                context.AddListener(new ErrorLog(errors));
                context.MqttStream("127.0.0.1", broker.Port, ["sensors/#"], Options("engine-restart"))
                    .Select(m => long.Parse(m.Text, CultureInfo.InvariantCulture))
                    .ForEachBatch((batch, _) =>
                    {
                        foreach (var n in batch)
                        {
                            received.Add(n);
                        }
                    });
                return context;
            });
            await using (context)
            {
                await context.StartAsync();
                var accepted = new ConcurrentBag<long>();
                await using var producer = await ProducerAsync(broker.Port);
                var publishing = producer.PublishAsync(1, 2_000, accepted);
                await WaitForAsync(() => received.Count > 200, "some messages before the restart", TimeSpan.FromSeconds(60));
                await broker.RestartAsync(TimeSpan.FromSeconds(1));
                await publishing;
                await WaitForAsync(() => accepted.All(received.Contains), "every accepted message in a batch", TimeSpan.FromSeconds(120),
                    () => $"{accepted.Count} accepted, {received.Distinct().Count()} received, missing {string.Join(",", accepted.Except(received).Order().Take(20))}; errors: {string.Join(" | ", errors.TakeLast(10))}");
                await context.StopAsync(graceful: true);
                Assert.Equal(2_000, accepted.Count);
                Assert.Empty(accepted.Except(received));
            }
        }
        finally
        {
            checkpoints.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Messages_acknowledged_before_the_driver_failed_are_published_by_the_next_run_from_the_write_ahead_log()
    {
        await using var broker = await MosquittoServer.StartAsync();
        var checkpoints = Directory.CreateTempSubdirectory("streamlinq-mqtt-ckpt-");
        var output = new ConcurrentBag<long>();
        using var subscriber = await SubscribeAsync(broker.Port, "out/#", output);
        await CreateSessionAsync(broker.Port, "engine-wal");
        try
        {
            var failing = new StrongBox { Value = true };
            var accepted = new ConcurrentBag<long>();
            await using var producer = await ProducerAsync(broker.Port);

            // The first driver stores and acknowledges the messages, then its output fails for
            // good before any batch completes: the messages are only in its write-ahead log.
            var first = StreamingContext.GetOrCreate(checkpoints.FullName, () => Define(broker.Port, failing));
            await using (first)
            {
                await first.StartAsync();
                await producer.PublishAsync(1, 300, accepted);
                var failure = await Assert.ThrowsAsync<BatchFailedException>(() => first.AwaitTerminationAsync().WaitAsync(TimeSpan.FromSeconds(60)));
                Assert.Contains("the driver fails", failure.ToString(), StringComparison.Ordinal);
            }

            Assert.Empty(output);
            failing.Value = false;
            var second = StreamingContext.GetOrCreate(checkpoints.FullName, () => Define(broker.Port, failing));
            await using (second)
            {
                await second.StartAsync();
                await producer.PublishAsync(301, 100, accepted);
                await WaitForAsync(() => accepted.All(output.Contains), "every accepted message published by the sink", TimeSpan.FromSeconds(60));
                await second.StopAsync(graceful: true);
            }

            Assert.Empty(accepted.Except(output));
        }
        finally
        {
            checkpoints.Delete(recursive: true);
        }
    }

    private static StreamingContext Define(int port, StrongBox failing)
    {
        var context = new StreamingContext(TimeSpan.FromMilliseconds(100), new StreamingOptions { RestartStrategy = RestartStrategy.None });
        var sink = new MqttSink<long>("127.0.0.1", port, "engine-sink-" + Guid.NewGuid().ToString("N"), n => "out/" + (n % 4).ToString(CultureInfo.InvariantCulture), n => Encoding.UTF8.GetBytes(n.ToString(CultureInfo.InvariantCulture)));
        var numbers = context.MqttStream("127.0.0.1", port, ["sensors/#"], Options("engine-wal"))
            .Select(m => long.Parse(m.Text, CultureInfo.InvariantCulture));
        numbers.ForEachBatch((batch, _) =>
        {
            if (failing.Value && batch.Count > 0)
            {
                throw new InvalidOperationException("the driver fails before the batch completes");
            }
        });
        numbers.WriteTo(sink);
        return context;
    }

    private static MqttSourceOptions Options(string clientId) =>
        new() { ClientId = clientId, Receiver = new ReceiverOptions { WriteAheadLog = true } };

    private static async Task<Producer> ProducerAsync(int port)
    {
        var producer = new Producer(port);
        await producer.ConnectAsync();
        return producer;
    }

    /// <summary>
    /// Creates the source's persistent session with its subscription before the context starts, so
    /// that the broker queues every message published from now on for it.
    /// </summary>
    private static async Task CreateSessionAsync(int port, string clientId)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(clientId).WithCleanSession(false)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311) // in MQTT 5 a session without an expiry interval ends at the disconnect
            .Build());
        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("sensors/#", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build());
    }

    private static async Task<IMqttClient> SubscribeAsync(int port, string topic, ConcurrentBag<long> into)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            into.Add(long.Parse(Encoding.UTF8.GetString(System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload)), CultureInfo.InvariantCulture));
            return Task.CompletedTask;
        };
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("checker-" + Guid.NewGuid().ToString("N")).Build());
        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(topic, MqttQualityOfServiceLevel.AtLeastOnce).Build());
        return client;
    }

    private static async Task WaitForAsync(Func<bool> condition, string what, TimeSpan limit, Func<string>? state = null)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited {limit} for {what}. {state?.Invoke()}");
            }

            await Task.Delay(50);
        }
    }

    private sealed class ErrorLog(ConcurrentQueue<string> errors) : IStreamingListener
    {
        public void OnSourceError(string source, Exception error) => errors.Enqueue($"{source}: {error.Message}");

        public void OnBatchCompleted(BatchInfo batch)
        {
            if (batch.Failure is { } failure)
            {
                errors.Enqueue($"batch {batch.Time}: {failure.Message}");
            }
        }
    }

    private sealed class StrongBox
    {
        public volatile bool Value;
    }

    /// <summary>Publishes numbers at QoS 1, each retried (on a new connection) until the broker acknowledges it.</summary>
    private sealed class Producer(int port) : IAsyncDisposable
    {
        private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();

        public Task ConnectAsync() =>
            _client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("producer-" + Guid.NewGuid().ToString("N")).WithTimeout(TimeSpan.FromSeconds(3)).Build());

        public async Task PublishAsync(long first, int count, ConcurrentBag<long> accepted)
        {
            for (var n = first; n < first + count; n++)
            {
                var deadline = DateTime.UtcNow.AddSeconds(60);
                while (true)
                {
                    try
                    {
                        if (!_client.IsConnected)
                        {
                            await ConnectAsync();
                        }

                        var result = await _client.PublishAsync(new MqttApplicationMessageBuilder()
                            .WithTopic("sensors/" + (n % 3).ToString(CultureInfo.InvariantCulture))
                            .WithPayload(Encoding.UTF8.GetBytes(n.ToString(CultureInfo.InvariantCulture)))
                            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                            .Build());
                        if (result.IsSuccess)
                        {
                            accepted.Add(n);
                            break;
                        }
                    }
                    catch (Exception error) when (error is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException && DateTime.UtcNow < deadline)
                    {
                        await Task.Delay(100);
                    }
                }

                if (n % 50 == 0)
                {
                    await Task.Delay(10);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_client.IsConnected)
            {
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build());
            }

            _client.Dispose();
        }
    }
}
