using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using StreamLinq.Sources;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Scheduling;

/// <summary>Retries of batches that failed transiently: what is retried, what a retry repeats, when it gives up.</summary>
public class RestartStrategyTests
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(5);

    [Fact]
    public async Task A_transient_sink_failure_is_retried_and_outputs_that_completed_are_not_run_again()
    {
        var retries = new RetryLog();
        await using var harness = new StreamHarness(options: new StreamingOptions { RestartStrategy = RestartStrategy.FixedDelay(5, Short) });
        harness.Context.AddListener(retries);
        var numbers = harness.Queue(new[] { new[] { 1, 2, 3 } });
        var first = new ConcurrentQueue<int[]>();
        var second = new ConcurrentQueue<int[]>();
        var failures = 2;
        numbers.ForEachBatch((batch, _) => first.Enqueue(batch.ToArray()));
        numbers.Select(x => x * 10).ForEachBatch((batch, _) =>
        {
            if (Interlocked.Decrement(ref failures) >= 0)
            {
                throw new IOException("the disk is busy");
            }

            second.Enqueue(batch.ToArray());
        });
        await harness.StartAsync();

        var batch = await harness.RunBatchAsync();

        Assert.Null(batch.Failure);
        Assert.Equal(new[] { 1, 2, 3 }, Assert.Single(first));
        Assert.Equal(new[] { 10, 20, 30 }, Assert.Single(second));
        Assert.Equal(new[] { 1, 2 }, retries.Attempts.Select(r => r.Attempt));
        Assert.All(retries.Attempts, r => Assert.Equal(BatchStage.Output, r.Failure.Stage));
    }

    [Fact]
    public async Task A_checkpoint_write_that_fails_with_an_io_error_is_retried_without_running_the_outputs_again()
    {
        using var scratch = new StreamLinq.Tests.Checkpointing.Scratch();
        var retries = new RetryLog();
        var calls = new ConcurrentDictionary<BatchTime, int>();
        var failuresLeft = 2;
        var previous = StreamLinq.Checkpointing.CheckpointFile.WriteHook;
        StreamLinq.Checkpointing.CheckpointFile.WriteHook = stage =>
        {
            previous?.Invoke(stage);

            // Only this test's scheduler carries the flag: other tests' checkpoints are left alone.
            if (FailCheckpoints.Value && stage == "temp-written" && Interlocked.Decrement(ref failuresLeft) >= 0)
            {
                throw new IOException("no space left on device");
            }
        };
        try
        {
            var clock = new ManualClock();
            StreamingContext Create() => StreamingContext.GetOrCreate(scratch.Checkpoints, () =>
            {
                var context = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { Clock = clock, RestartStrategy = RestartStrategy.FixedDelay(5, Short) });
                context.AddListener(retries);
                context.TextFileStream(scratch.Input).ForEachBatch((_, time) => calls.AddOrUpdate(time, 1, (_, n) => n + 1));
                return context;
            });

            scratch.AddFile("a");
            var context = Create();
            FailCheckpoints.Value = true;
            await context.StartAsync();
            FailCheckpoints.Value = false;
            clock.Advance(TimeSpan.FromSeconds(1));
            await BoundedBatchQueueTests.Eventually(() => retries.Attempts.Count == 2 && calls.Count == 1);
            await context.StopAsync(graceful: true);
            await context.AwaitTerminationAsync().WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(1, calls[new BatchTime(TimeSpan.FromSeconds(1).Ticks)]);
            Assert.All(retries.Attempts, r => Assert.Equal(BatchStage.Checkpoint, r.Failure.Stage));
            Assert.Equal(new BatchTime(TimeSpan.FromSeconds(1).Ticks), Create().RecoveredBatchTime);
        }
        finally
        {
            StreamLinq.Checkpointing.CheckpointFile.WriteHook = previous;
        }
    }

    private static readonly AsyncLocal<bool> FailCheckpoints = new();

    [Fact]
    public async Task A_lambda_that_throws_is_not_retried_by_default()
    {
        var retries = new RetryLog();
        await using var harness = new StreamHarness(options: new StreamingOptions { RestartStrategy = RestartStrategy.FixedDelay(5, Short) });
        harness.Context.AddListener(retries);
        var calls = 0;
        harness.Queue(new[] { new[] { 1 } })
            .Select(x => Throw(ref calls, x))
            .ForEachBatch((_, _) => { });
        await harness.StartAsync();

        var batch = await harness.RunBatchAsync();

        var failure = Assert.IsType<BatchFailedException>(batch.Failure);
        Assert.Equal(BatchStage.Operator, failure.Stage);
        Assert.Empty(retries.Attempts);
        Assert.Equal(1, calls);
        await Assert.ThrowsAsync<BatchFailedException>(() => harness.Context.AwaitTerminationAsync().WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_retried_failure_in_a_stateful_plan_starts_from_the_state_before_the_batch()
    {
        // Keys a and b are updated, then c throws once: a retry that kept the state of the failed
        // attempt would count a and b twice.
        var flaky = new FailOnce();
        var options = new StreamingOptions
        {
            RestartStrategy = RestartStrategy.FixedDelay(3, Short),
            IsTransient = failure => failure.Stage == BatchStage.Operator,
        };
        await using var harness = new StreamHarness(options: options);
        var batches = new[] { new[] { "a", "b", "c", "a" }, new[] { "a", "c" } };
        var counts = StreamHarness.Collect(harness.Queue(batches)
            .Select(word => new KeyValuePair<string, int>(word, 1))
            .UpdateStateByKey<string, int, int>((values, state) => flaky.Update(values, state)));
        await harness.StartAsync();

        Assert.Null((await harness.RunBatchAsync()).Failure);
        Assert.Null((await harness.RunBatchAsync()).Failure);

        var expected = batches.SelectMany(b => b).GroupBy(w => w).ToDictionary(g => g.Key, g => g.Count());
        var last = counts.OrderBy(c => c.Key).Last().Value.ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal(expected.OrderBy(kv => kv.Key), last.OrderBy(kv => kv.Key));
        Assert.True(flaky.Threw);
    }

    [Fact]
    public async Task A_transient_source_failure_is_retried_and_the_batch_is_read_once_it_recovers()
    {
        var retries = new RetryLog();
        await using var harness = new StreamHarness(options: new StreamingOptions { RestartStrategy = RestartStrategy.FixedDelay(5, Short) });
        harness.Context.AddListener(retries);
        var source = new FlakySource(failures: 3);
        var results = StreamHarness.Collect(harness.Context.AddInput(source));
        await harness.StartAsync();

        var batch = await harness.RunBatchAsync();

        Assert.Null(batch.Failure);
        Assert.Equal(new[] { 1, 2, 3 }, Assert.Single(results).Value);
        Assert.Equal(3, retries.Attempts.Count);
        Assert.All(retries.Attempts, r => Assert.Equal(BatchStage.Source, r.Failure.Stage));
    }

    [Fact]
    public async Task A_fixed_delay_gives_up_after_its_attempts_and_the_failure_stops_the_context()
    {
        var retries = new RetryLog();
        await using var harness = new StreamHarness(options: new StreamingOptions { RestartStrategy = RestartStrategy.FixedDelay(3, Short) });
        harness.Context.AddListener(retries);
        var source = new FlakySource(failures: int.MaxValue);
        StreamHarness.Collect(harness.Context.AddInput(source));
        await harness.StartAsync();

        var batch = await harness.RunBatchAsync();

        var failure = Assert.IsType<BatchFailedException>(batch.Failure);
        Assert.True(Assert.IsType<SourceException>(failure.InnerException).IsTransient);
        Assert.Equal(4, source.Reads);
        Assert.Equal(new[] { 1, 2, 3 }, retries.Attempts.Select(r => r.Attempt));
        await Assert.ThrowsAsync<BatchFailedException>(() => harness.Context.AwaitTerminationAsync().WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_failure_rate_retries_until_more_failures_than_allowed_fall_in_the_window()
    {
        await using var harness = new StreamHarness(options: new StreamingOptions { RestartStrategy = RestartStrategy.FailureRate(4, TimeSpan.FromMinutes(5), Short) });
        var source = new FlakySource(failures: int.MaxValue);
        StreamHarness.Collect(harness.Context.AddInput(source));
        await harness.StartAsync();

        var batch = await harness.RunBatchAsync();

        Assert.NotNull(batch.Failure);
        Assert.Equal(5, source.Reads); // four failures allowed, the fifth exceeds the rate
    }

    [Fact]
    public async Task Exponential_back_off_doubles_its_delay_up_to_the_maximum()
    {
        var retries = new RetryLog();
        var strategy = RestartStrategy.ExponentialBackoff(TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(16), maxAttempts: 6, jitter: false);
        await using var harness = new StreamHarness(options: new StreamingOptions { RestartStrategy = strategy });
        harness.Context.AddListener(retries);
        StreamHarness.Collect(harness.Context.AddInput(new FlakySource(failures: int.MaxValue)));
        await harness.StartAsync();

        await harness.RunBatchAsync();

        Assert.Equal(new[] { 2.0, 4, 8, 16, 16, 16 }, retries.Attempts.Select(r => r.Delay.TotalMilliseconds));
    }

    [Fact]
    public async Task An_at_most_once_output_is_never_retried()
    {
        var retries = new RetryLog();
        await using var harness = new StreamHarness(options: new StreamingOptions { RestartStrategy = RestartStrategy.FixedDelay(5, Short) });
        harness.Context.AddListener(retries);
        var calls = 0;
        harness.Queue(new[] { new[] { 1 } }).ForEachBatch((_, _) =>
        {
            Interlocked.Increment(ref calls);
            throw new IOException("the network dropped");
        }, DeliveryGuarantee.AtMostOnce);
        await harness.StartAsync();

        var batch = await harness.RunBatchAsync();

        Assert.NotNull(batch.Failure);
        Assert.Equal(1, calls);
        Assert.Empty(retries.Attempts);
    }

    [Fact]
    public async Task Retries_are_counted_by_the_retried_metric_with_the_stage()
    {
        var counted = new ConcurrentQueue<string?>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "StreamLinq" && instrument.Name == "streamlinq.batches.retried")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        var source = new FlakySource(failures: 2);
        meters.SetMeasurementEventCallback<long>((_, value, tags, state) =>
        {
            foreach (var tag in tags)
            {
                // Only this class's tests retry failed reads, and they run one at a time.
                if (tag.Key == "stage" && (string?)tag.Value == nameof(BatchStage.Source))
                {
                    counted.Enqueue((string?)tag.Value);
                }
            }
        });
        meters.Start();
        await using var harness = new StreamHarness(options: new StreamingOptions { RestartStrategy = RestartStrategy.FixedDelay(5, Short) });
        StreamHarness.Collect(harness.Context.AddInput(source));
        await harness.StartAsync();

        await harness.RunBatchAsync();

        Assert.Equal(2, counted.Count);
    }

    [Fact]
    public async Task A_stop_during_a_retry_back_off_ends_the_wait_and_the_context()
    {
        var retries = new RetryLog();
        await using var harness = new StreamHarness(options: new StreamingOptions { RestartStrategy = RestartStrategy.FixedDelay(10, TimeSpan.FromHours(1)) });
        harness.Context.AddListener(retries);
        StreamHarness.Collect(harness.Context.AddInput(new FlakySource(failures: int.MaxValue)));
        await harness.StartAsync();
        harness.Clock.Advance(harness.Context.BatchInterval);
        await BoundedBatchQueueTests.Eventually(() => !retries.Attempts.IsEmpty);

        await harness.Context.StopAsync(graceful: false).WaitAsync(TimeSpan.FromSeconds(30));
        await harness.Context.AwaitTerminationAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Single(retries.Attempts);
    }

    [Fact]
    public async Task Without_a_restart_strategy_the_first_transient_failure_counts()
    {
        await using var harness = new StreamHarness(options: new StreamingOptions { RestartStrategy = RestartStrategy.None });
        var source = new FlakySource(failures: 1);
        StreamHarness.Collect(harness.Context.AddInput(source));
        await harness.StartAsync();

        var batch = await harness.RunBatchAsync();

        Assert.NotNull(batch.Failure);
        Assert.Equal(1, source.Reads);
    }

    [Fact]
    public void Strategies_refuse_out_of_range_settings()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RestartStrategy.FixedDelay(0, Short));
        Assert.Throws<ArgumentOutOfRangeException>(() => RestartStrategy.FixedDelay(1, TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => RestartStrategy.FixedDelay(1, TimeSpan.FromDays(2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => RestartStrategy.ExponentialBackoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => RestartStrategy.FailureRate(0, TimeSpan.FromSeconds(1), Short));
        Assert.Throws<ArgumentOutOfRangeException>(() => RestartStrategy.FailureRate(1, TimeSpan.Zero, Short));
    }

    [Theory]
    [InlineData(BatchStage.Source, true)]
    [InlineData(BatchStage.Output, true)]
    [InlineData(BatchStage.Checkpoint, true)]
    [InlineData(BatchStage.Operator, false)]
    [InlineData(BatchStage.Scheduler, false)]
    public void By_default_io_errors_are_transient_except_in_user_code_and_the_engine(BatchStage stage, bool transient)
    {
        Exception inner = stage == BatchStage.Source ? new SourceException("s", "down", new IOException()) { IsTransient = true } : new IOException("down");
        Assert.Equal(transient, TransientFailures.IsTransient(new BatchFailedException(default, "x", inner, stage)));
    }

    [Fact]
    public void By_default_a_source_that_failed_for_good_and_an_action_that_threw_are_not_transient()
    {
        Assert.False(TransientFailures.IsTransient(new BatchFailedException(default, "x", new SourceException("s", "OnError"), BatchStage.Source)));
        Assert.False(TransientFailures.IsTransient(new BatchFailedException(default, "x", new InvalidOperationException("bug"), BatchStage.Output)));
        Assert.True(TransientFailures.IsTransient(new BatchFailedException(default, "x", new InvalidOperationException("wrapped", new TimeoutException()), BatchStage.Output)));
    }

    private static int Throw(ref int calls, int x)
    {
        Interlocked.Increment(ref calls);
        throw new IOException("not a transient failure: user code");
    }

    /// <summary>An update function that throws once, at the first key seen for the first time with one value (after others were updated).</summary>
    private sealed class FailOnce
    {
        private int _thrown;

        public bool Threw => Volatile.Read(ref _thrown) == 1;

        public int? Update(IReadOnlyList<int> values, int? state)
        {
            if (values.Count == 1 && state is null && Interlocked.CompareExchange(ref _thrown, 1, 0) == 0)
            {
                throw new IOException("flaky");
            }

            return (state ?? 0) + values.Sum();
        }
    }

    private sealed class RetryLog : IStreamingListener
    {
        public ConcurrentQueue<(int Attempt, TimeSpan Delay, BatchFailedException Failure)> Attempts { get; } = new();

        public void OnBatchRetrying(BatchInfo batch, int attempt, TimeSpan delay) =>
            Attempts.Enqueue((attempt, delay, Assert.IsType<BatchFailedException>(batch.Failure)));
    }

    /// <summary>A source whose batches hold 1, 2, 3 but whose reads fail transiently the first <c>failures</c> times.</summary>
    private sealed class FlakySource(int failures) : IBatchSource<int>
    {
        private int _failures = failures;
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public string Name => "Flaky";

        public bool IsReplayable => false;

        public bool HasPending => false;

        public Task StartAsync(SourceContext context, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync() => Task.CompletedTask;

        public ISealedInput Seal(BatchTime time) => new Input(this);

        private sealed class Input(FlakySource source) : ISealedInput
        {
            public ValueTask<Array> ReadAsync(CancellationToken cancellationToken)
            {
                Interlocked.Increment(ref source._reads);
                return Interlocked.Decrement(ref source._failures) >= 0
                    ? ValueTask.FromException<Array>(new SourceException(source.Name, "the server timed out") { IsTransient = true })
                    : ValueTask.FromResult<Array>(new[] { 1, 2, 3 });
            }
        }
    }
}
