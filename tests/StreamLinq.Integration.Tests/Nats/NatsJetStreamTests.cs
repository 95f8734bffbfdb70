using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using StreamLinq.Integration.Tests.Support;
using StreamLinq.Nats;

namespace StreamLinq.Integration.Tests.Nats;

/// <summary>
/// NATS JetStream in and out, against a real nats-server -js started by the test: the source reads
/// subjects as partitions by sequence ranges, the sink publishes under deduplication ids, and the
/// output stream ends up holding every message the input stream accepted exactly once, across a
/// broker killed and restarted mid-run and across a driver that fails and recovers a pending batch.
/// </summary>
public sealed class NatsJetStreamTests
{
    private static readonly string[] Subjects = ["in.a", "in.b"];

    [Fact]
    public async Task Every_accepted_message_reaches_the_output_stream_once_across_a_broker_kill_and_restart()
    {
        await using var server = await NatsServer.StartAsync();
        await using var nats = await ConnectAsync(server);
        await CreateStreamsAsync(nats);
        var checkpoints = Directory.CreateTempSubdirectory("streamlinq-nats-ckpt-");
        try
        {
            var context = StreamingContext.GetOrCreate(checkpoints.FullName, () => Define(nats, failOnce: null));
            await using (context)
            {
                await context.StartAsync();
                using var producing = new CancellationTokenSource();
                var accepted = new ConcurrentBag<long>();
                var producer = ProduceAsync(nats, 1, 3_000, accepted, producing.Token);

                await WaitForAsync(async () => await CountAsync(nats, "OUT") > 200, "some output before the kill");
                await server.KillAndRestartAsync(TimeSpan.FromSeconds(1));
                await producer;
                await WaitForAsync(async () => await CountAsync(nats, "OUT") >= accepted.Count, "every accepted message in the output");
                await context.StopAsync(graceful: true);

                var output = await ReadAllAsync(nats, "OUT");
                Assert.Equal(3_000, accepted.Count);
                Assert.Equal(accepted.Order(), output.Order());
            }
        }
        finally
        {
            checkpoints.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_batch_pending_when_the_driver_fails_is_replayed_from_its_sequence_ranges_and_published_once()
    {
        await using var server = await NatsServer.StartAsync();
        await using var nats = await ConnectAsync(server);
        await CreateStreamsAsync(nats);
        var checkpoints = Directory.CreateTempSubdirectory("streamlinq-nats-ckpt-");
        try
        {
            var accepted = new ConcurrentBag<long>();
            await ProduceAsync(nats, 1, 500, accepted, CancellationToken.None);

            // The first driver publishes half of a batch, then fails for good: the batch stays
            // pending in the checkpoint with its sequence ranges.
            var failing = new FailOnce();
            var first = StreamingContext.GetOrCreate(checkpoints.FullName, () => Define(nats, failing, maxPerBatch: 60));
            await using (first)
            {
                await first.StartAsync();
                var failure = await Assert.ThrowsAsync<BatchFailedException>(() => first.AwaitTerminationAsync().WaitAsync(TimeSpan.FromSeconds(60)));
                Assert.Contains("half published", failure.ToString(), StringComparison.Ordinal);
            }

            Assert.True(failing.Published > 0);
            await ProduceAsync(nats, 501, 200, accepted, CancellationToken.None);
            var second = StreamingContext.GetOrCreate(checkpoints.FullName, () => Define(nats, failOnce: null, maxPerBatch: 60));
            await using (second)
            {
                await second.StartAsync();
                await WaitForAsync(async () => await CountAsync(nats, "OUT") >= accepted.Count, "every accepted message in the output");
                await second.StopAsync(graceful: true);
            }

            var output = await ReadAllAsync(nats, "OUT");
            Assert.Equal(accepted.Order(), output.Order());
        }
        finally
        {
            checkpoints.Delete(recursive: true);
        }
    }

    /// <summary>What went wrong in the contexts, for the message of a test that times out.</summary>
    private static readonly ConcurrentQueue<string> Events = new();

    private static StreamingContext Define(NatsConnection nats, FailOnce? failOnce, int maxPerBatch = 10_000)
    {
        var context = new StreamingContext(TimeSpan.FromMilliseconds(100), new StreamingOptions
        {
            RestartStrategy = failOnce is null ? RestartStrategy.FixedDelay(200, TimeSpan.FromMilliseconds(100)) : RestartStrategy.None,
        });
        context.AddListener(new EventLog());
        var sink = new NatsJetStreamSink<long>(nats, "copy", _ => "out.copy", n => Encoding.UTF8.GetBytes(n.ToString(CultureInfo.InvariantCulture)));
        context.NatsJetStream(nats, "IN", Subjects, new NatsJetStreamOptions { MaxMessagesPerBatch = maxPerBatch, OperationTimeout = TimeSpan.FromSeconds(3) })
            .Select(m => long.Parse(m.Text, CultureInfo.InvariantCulture))
            .WriteTo(new FailingSink(sink, failOnce ?? new FailOnce { Published = -1 }), DeliveryGuarantee.ExactlyOnce);
        return context;
    }

    private static async Task<NatsConnection> ConnectAsync(NatsServer server)
    {
        var nats = new NatsConnection(new NatsOpts { Url = server.Url, RequestTimeout = TimeSpan.FromSeconds(3) });
        await nats.ConnectAsync();
        return nats;
    }

    private static async Task CreateStreamsAsync(NatsConnection nats)
    {
        var js = new NatsJSContext(nats);
        await js.CreateStreamAsync(new StreamConfig("IN", ["in.>"]) { Storage = StreamConfigStorage.File, DuplicateWindow = TimeSpan.FromMinutes(5) });
        await js.CreateStreamAsync(new StreamConfig("OUT", ["out.>"]) { Storage = StreamConfigStorage.File, DuplicateWindow = TimeSpan.FromMinutes(5) });
    }

    /// <summary>
    /// Publishes <paramref name="count"/> numbers from <paramref name="first"/>, alternating the
    /// subjects, each retried until the server acknowledges it (under its number as the
    /// deduplication id, so that a retry after a lost acknowledgement stores it once); the
    /// acknowledged ones are the accepted ones.
    /// </summary>
    private static async Task ProduceAsync(NatsConnection nats, long first, int count, ConcurrentBag<long> accepted, CancellationToken cancellationToken)
    {
        var js = new NatsJSContext(nats);
        for (var n = first; n < first + count; n++)
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                try
                {
                    var ack = await js.PublishAsync(Subjects[n % 2], Encoding.UTF8.GetBytes(n.ToString(CultureInfo.InvariantCulture)), opts: new NatsJSPubOpts { MsgId = "in-" + n }, cancellationToken: cancellationToken);
                    ack.EnsureSuccess();
                    accepted.Add(n);
                    break;
                }
                catch (Exception error) when (error is NatsException or TimeoutException && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(100, cancellationToken);
                }
            }

            if (n % 100 == 0)
            {
                await Task.Delay(20, cancellationToken);
            }
        }
    }

    private static async Task<long> CountAsync(NatsConnection nats, string stream)
    {
        try
        {
            var info = await new NatsJSContext(nats).GetStreamAsync(stream);
            return (long)info.Info.State.Messages;
        }
        catch (Exception error) when (error is NatsException or TimeoutException)
        {
            return -1;
        }
    }

    private static async Task<List<long>> ReadAllAsync(NatsConnection nats, string stream)
    {
        var js = new NatsJSContext(nats);
        var consumer = await js.CreateOrderedConsumerAsync(stream);
        var numbers = new List<long>();
        while (true)
        {
            var before = numbers.Count;
            await foreach (var message in consumer.FetchNoWaitAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = 1_000 }))
            {
                numbers.Add(long.Parse(Encoding.UTF8.GetString(message.Data!), CultureInfo.InvariantCulture));
            }

            if (numbers.Count == before)
            {
                return numbers;
            }
        }
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited 120 s for {what}. Events: {string.Join(" | ", Events.TakeLast(20))}");
            }

            await Task.Delay(100);
        }
    }

    private sealed class EventLog : IStreamingListener
    {
        public void OnBatchCompleted(BatchInfo batch)
        {
            if (batch.Failure is { } failure)
            {
                Events.Enqueue($"batch {batch.Time} failed: {failure.Message} {failure.InnerException?.Message}");
            }
        }

        public void OnBatchRetrying(BatchInfo batch, int attempt, TimeSpan delay) =>
            Events.Enqueue($"batch {batch.Time} retry {attempt}: {batch.Failure?.Message} {batch.Failure?.InnerException?.Message}");

        public void OnSourceError(string source, Exception error) => Events.Enqueue($"{source}: {error.Message}");
    }

    private sealed class FailOnce
    {
        public int Published;
    }

    /// <summary>
    /// Publishes the first batch of more than one record's first half, then fails the batch for
    /// good; passes every batch through once <see cref="FailOnce.Published"/> is set (the same
    /// sink in every run, so that the query's fingerprint does not change).
    /// </summary>
    private sealed class FailingSink(NatsJetStreamSink<long> inner, FailOnce state) : IBatchSink<long>, IIdempotentSink
    {
        public async Task WriteBatchAsync(IReadOnlyList<long> batch, BatchTime time, CancellationToken cancellationToken)
        {
            if (batch.Count > 1 && Interlocked.Exchange(ref state.Published, batch.Count / 2) == 0)
            {
                await inner.WriteBatchAsync(batch.Take(batch.Count / 2).ToList(), time, cancellationToken);
                throw new InvalidOperationException("half published, then the driver fails");
            }

            await inner.WriteBatchAsync(batch, time, cancellationToken);
        }
    }
}
