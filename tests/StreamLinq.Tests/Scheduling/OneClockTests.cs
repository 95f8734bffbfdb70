using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Scheduling;

/// <summary>
/// <see cref="StreamingOptions.TimeProvider"/> is the context's one clock: a fake clock, and
/// nothing else, moves the batches, the time-outs, the restart strategy's back-off, the socket
/// source's reconnect back-off and the receivers' rate limits.
/// </summary>
public sealed class OneClockTests
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task One_fake_clock_drives_a_batch_an_operation_time_out_and_the_retry_back_off()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var log = new ClockLog(clock);
        await using var context = new StreamingContext(TimeSpan.FromSeconds(10), new StreamingOptions
        {
            TimeProvider = clock,
            OperationTimeout = TimeSpan.FromSeconds(5),
            RestartStrategy = RestartStrategy.FixedDelay(3, TimeSpan.FromSeconds(2)),
        });
        context.AddListener(log);
        var calls = 0;
        context.QueueStream(new ConcurrentQueue<IEnumerable<int>>([[1, 2, 3]])).ForEachBatch(async (_, time, cancellationToken) =>
        {
            // Only the first batch's attempts count: the clock may run on past the next boundary.
            if (time.ToDateTimeOffset() - DateTimeOffset.UnixEpoch == TimeSpan.FromSeconds(10) && Interlocked.Increment(ref calls) == 1)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken); // hangs until its time-out
            }
        });
        await context.StartAsync();

        // Real time alone cuts no batch.
        await Task.Delay(200);
        Assert.Empty(log.Started);

        clock.Advance(TimeSpan.FromSeconds(10));
        await BoundedBatchQueueTests.Eventually(() => Volatile.Read(ref calls) == 1);
        Assert.Equal([TimeSpan.FromSeconds(10)], log.Started.Select(b => b.Time.ToDateTimeOffset() - DateTimeOffset.UnixEpoch));

        // The time-out and then the back-off come due on the fake clock only.
        await clock.AdvanceUntilAsync(log.Completed.Task, TimeSpan.FromMilliseconds(250));
        var done = await log.Completed.Task;

        var (attempt, delay, failure, retriedAt) = Assert.Single(log.Retries);
        Assert.Equal(1, attempt);
        Assert.Equal(TimeSpan.FromSeconds(2), delay);
        Assert.IsType<TimeoutException>(failure.InnerException);
        // Started at 10 s, time-out 5 s. Listeners are told asynchronously, so the clock read there
        // may be some 250 ms steps on under load; a time-out on real time would be ~1,000 steps.
        Assert.InRange(retriedAt, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(25));
        Assert.Null(done.Failure);
        Assert.Equal(2, calls);
        Assert.InRange(done.ProcessingDelay!.Value, TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(17)); // + the 2 s back-off
    }

    [Fact]
    public async Task A_receivers_rate_limit_refills_on_the_fake_clock_and_not_on_real_time()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var context = new StreamingContext(TimeSpan.FromHours(1), new StreamingOptions { TimeProvider = clock });
        var pulled = 0;
        async IAsyncEnumerable<int> Endless()
        {
            for (var i = 0; ; i++)
            {
                Interlocked.Increment(ref pulled);
                yield return i;
                await Task.Yield();
            }
        }

        // 100 records a second: one token every 10 ms, a bucket of one.
        context.FromAsyncEnumerable(Endless(), new ReceiverOptions { MaxRatePerSecond = 100 }).ForEachBatch((_, _) => { });
        await context.StartAsync();

        // The first record takes the bucket's token; the second waits for the next one.
        await BoundedBatchQueueTests.Eventually(() => Volatile.Read(ref pulled) == 2);
        await Task.Delay(300);
        Assert.Equal(2, Volatile.Read(ref pulled));

        // Each 10 ms of fake time lets one more record through, never more. A producer may make its
        // timer just after an advance (the timer then runs from the take), so the test advances
        // again until the next record comes, and checks the rate bound at every step.
        var advanced = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (Volatile.Read(ref pulled) < 7)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {Volatile.Read(ref pulled)} records pulled after {advanced * 10} ms of fake time");
            clock.Advance(TimeSpan.FromMilliseconds(10));
            advanced++;
            var before = DateTime.UtcNow;
            while (Volatile.Read(ref pulled) < 2 + advanced && DateTime.UtcNow - before < TimeSpan.FromMilliseconds(500))
            {
                await Task.Delay(5);
            }

            Assert.InRange(Volatile.Read(ref pulled), 2, 2 + advanced);
        }

        Assert.InRange(advanced, 5, 40);
    }

    [Fact]
    public async Task The_socket_sources_reconnect_back_off_waits_on_the_fake_clock_and_doubles()
    {
        // A port nothing listens on: every connection attempt fails at once.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var log = new ClockLog(clock);
        await using var context = new StreamingContext(TimeSpan.FromHours(1), new StreamingOptions { TimeProvider = clock });
        context.AddListener(log);
        context.SocketTextStream("127.0.0.1", port, new SocketTextStreamOptions { ReconnectDelay = TimeSpan.FromSeconds(1), MaxReconnectDelay = TimeSpan.FromSeconds(60) })
            .ForEachBatch((_, _) => { });
        await context.StartAsync();

        await BoundedBatchQueueTests.Eventually(() => log.SourceErrors.Count == 1);
        await Task.Delay(300);
        Assert.Single(log.SourceErrors);

        var third = BoundedBatchQueueTests.Eventually(() => log.SourceErrors.Count >= 3);
        await clock.AdvanceUntilAsync(third, TimeSpan.FromMilliseconds(100));
        var at = log.SourceErrors.Take(3).ToArray();

        // 1 s, then 2 s of fake time between attempts (listeners are told asynchronously, so the
        // clock read there may be a few steps on; a back-off on real time would be ~20 s of steps).
        Assert.InRange(at[1] - at[0], TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        Assert.InRange(at[2] - at[1], TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4));
    }

    /// <summary>What the context reported, with the fake clock's time when it did.</summary>
    private sealed class ClockLog(FakeTimeProvider clock) : IStreamingListener
    {
        public ConcurrentQueue<BatchInfo> Started { get; } = new();

        public ConcurrentQueue<(int Attempt, TimeSpan Delay, BatchFailedException Failure, TimeSpan At)> Retries { get; } = new();

        public ConcurrentQueue<TimeSpan> SourceErrors { get; } = new();

        public TaskCompletionSource<BatchInfo> Completed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnBatchStarted(BatchInfo batch) => Started.Enqueue(batch);

        public void OnBatchRetrying(BatchInfo batch, int attempt, TimeSpan delay) => Retries.Enqueue((attempt, delay, (BatchFailedException)batch.Failure!, Now));

        public void OnBatchCompleted(BatchInfo batch) => Completed.TrySetResult(batch);

        public void OnSourceError(string source, Exception error) => SourceErrors.Enqueue(Now);

        private TimeSpan Now => clock.GetUtcNow() - DateTimeOffset.UnixEpoch;
    }
}
