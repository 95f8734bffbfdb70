using System.Collections.Concurrent;
using System.Diagnostics;
using StreamLinq;

namespace YahooStreamingBenchmark;

/// <summary>Where events come from and where counts go.</summary>
public enum EventSourceMode
{
    /// <summary>An in-memory generator hands the job pre-serialized JSON; measures the engine with parsing.</summary>
    Memory,

    /// <summary>The generator appends to a Redis stream (XADD) and the job reads it with the StreamLinq.Redis source (XRANGE, prefetched).</summary>
    Redis,

    /// <summary>
    /// The generator publishes to a NATS JetStream stream and the job reads it with the NATS
    /// JetStream source (StreamLinq.Nats), by sequence ranges; counts go to memory unless
    /// <c>--store redis</c>.
    /// </summary>
    Nats,
}

/// <summary>One run's settings.</summary>
/// <param name="Mode">Where the events come from.</param>
/// <param name="Seconds">How long the generator produces.</param>
/// <param name="Rate">Events offered per second.</param>
/// <param name="BatchInterval">The context's batch interval.</param>
/// <param name="Parallelism">Partitions per batch; 1 measures one core.</param>
/// <param name="RedisStore">Whether counts go to Redis (always so in Redis mode) rather than memory.</param>
/// <param name="RedisEndpoint">An existing Redis to use; null starts a redis-server when one is needed.</param>
/// <param name="NatsUrl">An existing nats-server with JetStream to use in NATS mode; null starts one.</param>
/// <param name="WarmupSeconds">
/// A discarded in-memory run first, so that the measured run does not pay for the JIT's
/// first compilations (the original benchmark runs for minutes, where they vanish).
/// </param>
/// <param name="PreParsed">
/// In-memory mode only: the generator hands the job <see cref="AdEvent"/> values (an array per
/// chunk, through a queue stream) rather than JSON, so the figure is the query without parsing.
/// </param>
/// <param name="Preload">
/// Generate every event before the job starts (into the queue, or XADD into the stream), then
/// measure the job alone until it has read them all: source-to-aggregate throughput, without the
/// generator's client work (XADD replies parsed in this process) in the job's CPU time.
/// </param>
public sealed record RunOptions(
    EventSourceMode Mode = EventSourceMode.Memory,
    double Seconds = 10,
    long Rate = 1_000_000,
    TimeSpan? BatchInterval = null,
    int Parallelism = 1,
    bool RedisStore = false,
    string? RedisEndpoint = null,
    double WarmupSeconds = 0,
    bool Preload = false,
    string? NatsUrl = null,
    bool PreParsed = false)
{
    public TimeSpan Interval => BatchInterval ?? TimeSpan.FromSeconds(1);

    public bool UsesRedis => Mode == EventSourceMode.Redis || RedisStore;
}

/// <summary>What a run measured, and what the checker found.</summary>
/// <param name="Events">Events the job processed.</param>
/// <param name="WallSeconds">From the first event to the last batch.</param>
/// <param name="BusySeconds">Time the batches spent processing (reading, the query, the writes).</param>
/// <param name="Parallelism">Partitions per batch.</param>
/// <param name="JobCpuSeconds">The process's CPU time less the generator thread's; null where it cannot be measured.</param>
/// <param name="WindowLatenciesMs">For every window that ended during the run: its final write's time minus its end.</param>
/// <param name="Mismatches">Campaign windows whose stored count differs from the generator's; empty when the checker passes.</param>
/// <param name="Windows">How many campaign windows were written.</param>
/// <param name="JobAllocatedBytes">Bytes the process allocated while the job ran, less the generator thread's.</param>
public sealed record RunReport(long Events, double WallSeconds, double BusySeconds, int Parallelism, double? JobCpuSeconds, long[] WindowLatenciesMs, IReadOnlyList<string> Mismatches, int Windows, long JobAllocatedBytes)
{
    /// <summary>
    /// Events per second per core: events over the CPU time the job used (every thread of the
    /// process but the generator's: the batches, the GC, the scheduler), which a shared machine
    /// does not inflate as it does wall-clock time.
    /// </summary>
    public double? EventsPerCpuSecond => JobCpuSeconds is > 0 ? Events / JobCpuSeconds : null;

    /// <summary>Events per second of the batches' processing time (wall clock while a batch ran, times partitions).</summary>
    public double EventsPerBusySecond => Events / (BusySeconds * Parallelism);

    /// <summary>Bytes the job allocated per event: the engine's, the query's and the store's, not the generator's.</summary>
    public double AllocatedBytesPerEvent => Events > 0 ? (double)JobAllocatedBytes / Events : 0;
}

/// <summary>Runs the job against the generator, then checks every campaign window's count.</summary>
public static class BenchmarkRun
{
    /// <summary>The warm-up (unless <see cref="RunOptions.WarmupSeconds"/> is 0), the measured run, then the checker.</summary>
    /// <exception cref="ArgumentException">Pre-parsed events are asked for with a mode other than in-memory.</exception>
    public static async Task<RunReport> RunAsync(RunOptions options, TextWriter? log = null)
    {
        if (options.PreParsed && options.Mode != EventSourceMode.Memory)
        {
            throw new ArgumentException($"Pre-parsed events come from the in-memory generator only, not from {options.Mode}.", nameof(options));
        }

        if (options.WarmupSeconds > 0)
        {
            // Live and in short batches: every path a batch takes is compiled (and, where tiering is
            // on, called often enough to reach its final tier) before the measured run.
            var warmup = options with { Mode = EventSourceMode.Memory, Seconds = options.WarmupSeconds, Rate = Math.Min(options.Rate, 500_000), BatchInterval = TimeSpan.FromMilliseconds(20), Preload = false };
            await RunJobAsync(warmup, new InMemoryWindowStore(), null, null);
            log?.WriteLine($"warmed up for {options.WarmupSeconds} s (not measured)");
        }

        RedisServer? server = null;
        StackExchange.Redis.ConnectionMultiplexer? connection = null;
        NatsServer? natsServer = null;
        NATS.Client.Core.NatsConnection? nats = null;
        try
        {
            if (options.Mode == EventSourceMode.Nats)
            {
                if (options.NatsUrl is null)
                {
                    natsServer = await NatsServer.StartAsync();
                    log?.WriteLine($"started nats-server -js on 127.0.0.1:{natsServer.Port}");
                }

                nats = new NATS.Client.Core.NatsConnection(new NATS.Client.Core.NatsOpts { Url = options.NatsUrl ?? natsServer!.Url });
                await nats.ConnectAsync();
            }

            if (options.UsesRedis)
            {
                if (options.RedisEndpoint is { } endpoint)
                {
                    connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(endpoint);
                }
                else
                {
                    server = await RedisServer.StartAsync();
                    connection = server.Connection;
                    log?.WriteLine($"started redis-server on 127.0.0.1:{server.Port}");
                }

            }

            var database = connection?.GetDatabase();
            // Keys of this run only: counts are added to what is there, and a named server may hold other runs.
            var prefix = $"ysb:{Guid.NewGuid():N}:";
            IWindowStore store = options.UsesRedis ? new RedisWindowStore(database!, prefix) : new InMemoryWindowStore();
            var redisEvents = options.Mode == EventSourceMode.Redis ? new RedisEvents(connection!, prefix + "ad-events") : null;
            var natsEvents = nats is null ? null : await NatsEvents.CreateAsync(nats, $"YSB_{Guid.NewGuid():N}");
            return await RunJobAsync(options, store, redisEvents, log, natsEvents);
        }
        finally
        {
            if (nats is not null)
            {
                await nats.DisposeAsync();
            }

            if (natsServer is not null)
            {
                await natsServer.DisposeAsync();
            }

            if (server is not null)
            {
                await server.DisposeAsync();
            }
            else if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private static async Task<RunReport> RunJobAsync(RunOptions options, IWindowStore store, RedisEvents? redis, TextWriter? log, NatsEvents? nats = null)
    {
        var campaigns = Campaigns.Create();
        var generator = new EventGenerator(campaigns);
        var maxLength = generator.MaxEventLength;
        var batches = new BatchRecorder();
        var queue = new ConcurrentQueue<IEnumerable<ReadOnlyMemory<byte>>>();
        var parsedQueue = new ConcurrentQueue<IEnumerable<AdEvent>>();
        await using var context = new StreamingContext(options.Interval, new StreamingOptions { MaxDegreeOfParallelism = options.Parallelism });
        context.AddListener(batches);
        // Twice what one interval offers: a batch can catch up, and no reply grows without bound.
        var perBatch = (int)Math.Min(int.MaxValue, Math.Max(10_000, 2 * options.Rate * options.Interval.TotalSeconds));
        if (options.PreParsed)
        {
            // Each chunk is an AdEvent[]: a queued array is the batch's records as it is, not copied.
            AdvertisingJob.Define(context.QueueStream(parsedQueue, oneAtATime: false), campaigns, store);
        }
        else
        {
            var events = options.Mode switch
            {
                EventSourceMode.Redis => redis!.Read(context, perBatch),
                EventSourceMode.Nats => nats!.Read(context, perBatch),
                _ => context.QueueStream(queue, oneAtATime: false),
            };
            AdvertisingJob.Define(events, campaigns, store);
        }

        var watch = Stopwatch.StartNew();
        TimeSpan? generatorCpu = null;
        long generatorAllocated = 0;
        var total = (long)(options.Seconds * options.Rate);

        // The generator has a thread of its own, so that its CPU time can be measured and left out.
        var producer = new Thread(() =>
        {
            var cpuBefore = CpuTime.CurrentThread();
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            long offered = 0;
            while (options.Preload ? offered < total : watch.Elapsed.TotalSeconds < options.Seconds)
            {
                var due = options.Preload ? total : (long)(watch.Elapsed.TotalSeconds * options.Rate);
                if (due > offered)
                {
                    var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                    var count = (int)Math.Min(due - offered, 100_000);
                    if (options.PreParsed)
                    {
                        var chunk = new AdEvent[count];
                        for (var i = 0; i < count; i++)
                        {
                            chunk[i] = generator.NextParsed(now);
                        }

                        parsedQueue.Enqueue(chunk);
                    }
                    else if (nats is not null)
                    {
                        var chunk = new byte[count][];
                        for (var i = 0; i < count; i++)
                        {
                            chunk[i] = generator.Next(now);
                        }

                        nats.AppendAsync(chunk).GetAwaiter().GetResult();
                    }
                    else if (redis is null)
                    {
                        var buffer = new byte[count * maxLength];
                        var chunk = new ReadOnlyMemory<byte>[count];
                        var position = 0;
                        for (var i = 0; i < count; i++)
                        {
                            chunk[i] = generator.Next(now, buffer, ref position);
                        }

                        queue.Enqueue(chunk);
                    }
                    else
                    {
                        var chunk = new byte[count][];
                        for (var i = 0; i < count; i++)
                        {
                            chunk[i] = generator.Next(now);
                        }

                        redis.AppendAsync(chunk).GetAwaiter().GetResult();
                    }

                    offered += count;
                }

                if (!options.Preload)
                {
                    Thread.Sleep(1);
                }
            }

            generatorCpu = CpuTime.CurrentThread() - cpuBefore;
            generatorAllocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        })
        { Name = "YSB generator", IsBackground = true };

        if (options.Preload)
        {
            // Every event is in place before the job starts: the job's CPU time is measured alone.
            producer.Start();
            await Task.Run(producer.Join);
            generatorCpu = TimeSpan.Zero;
            generatorAllocated = 0;
            watch.Restart();
        }

        await context.StartAsync();
        var cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
        var allocatedAtStart = GC.GetTotalAllocatedBytes(precise: true);
        var startMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        if (!options.Preload)
        {
            // Offered from the job's start: a slow start must not eat the generator's seconds.
            watch.Restart();
            producer.Start();
            await Task.Run(producer.Join);
        }

        var stopMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        if (redis is not null || nats is not null || options.Preload)
        {
            // Stop only once the job has read everything, so that the final batch holds the rest. The
            // listener says when, rather than a polling loop whose wake-ups would count as the job's CPU time.
            await Task.WhenAny(batches.WhenRecorded(generator.Generated), Task.Delay(TimeSpan.FromSeconds(120)));
        }

        await context.StopAsync(graceful: true);
        var wall = watch.Elapsed.TotalSeconds;
        var jobCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart - (generatorCpu ?? TimeSpan.Zero);
        var jobAllocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedAtStart - generatorAllocated;
        log?.WriteLine($"generated {generator.Generated:N0} events in {options.Seconds} s; {batches.Completed.Count} batches");

        var failed = batches.Completed.FirstOrDefault(b => b.Failure is not null);
        if (failed is not null)
        {
            throw new InvalidOperationException($"Batch {failed.Time} failed.", failed.Failure);
        }

        var stored = await store.ReadAllAsync(campaigns.Select(c => c.CampaignId).Distinct());
        var mismatches = Checker.Compare(generator.Expected, stored);
        var latencies = stored
            .Where(w => w.Key.WindowStart + AdvertisingJob.WindowMs > startMs && w.Key.WindowStart + AdvertisingJob.WindowMs <= stopMs)
            .Select(w => w.Value.TimeUpdated - (w.Key.WindowStart + AdvertisingJob.WindowMs))
            .Order()
            .ToArray();
        var busy = batches.Completed.Sum(b => b.ProcessingDelay?.TotalSeconds ?? 0);
        return new RunReport(batches.Completed.Sum(b => b.RecordCount ?? 0), wall, busy, options.Parallelism, generatorCpu is null ? null : jobCpu.TotalSeconds, latencies, mismatches, stored.Count, jobAllocated);
    }

    private sealed class BatchRecorder : IStreamingListener
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _records;
        private long _target = long.MaxValue;

        public ConcurrentQueue<BatchInfo> Completed { get; } = new();

        public void OnBatchCompleted(BatchInfo batch)
        {
            Completed.Enqueue(batch);
            Check(Interlocked.Add(ref _records, batch.RecordCount ?? 0));
        }

        /// <summary>Completes once the completed batches hold <paramref name="records"/> records in all.</summary>
        public Task WhenRecorded(long records)
        {
            Interlocked.Exchange(ref _target, records);
            Check(Interlocked.Read(ref _records));
            return _reached.Task;
        }

        private void Check(long records)
        {
            if (records >= Interlocked.Read(ref _target))
            {
                _reached.TrySetResult();
            }
        }
    }
}
