using System.Collections.Concurrent;
using StreamLinq.Tests.Checkpointing;
using StreamLinq.Tests.Support;
using StreamLinq.Scheduling;

namespace StreamLinq.Tests.Scheduling;

/// <summary>A stop request is honoured within a bounded time, whatever the clock, the outputs or user code do.</summary>
public class BoundedStopTests
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_abrupt_stop_cancels_the_running_batch_and_drops_the_queued_ones()
    {
        var started = new ConcurrentQueue<BatchTime>();
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = new StreamHarness(options: new StreamingOptions { MaxQueuedBatches = 4 });
        var submitted = 0;
        harness.Context.AddListener(new Submissions(() => Interlocked.Increment(ref submitted)));
        harness.Queue(Enumerable.Range(0, 10).Select(i => new[] { i })).ForEachBatch(async (_, time, cancellationToken) =>
        {
            started.Enqueue(time);
            running.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        });
        await harness.StartAsync();
        for (var i = 0; i < 4; i++)
        {
            harness.Clock.Advance(harness.Context.BatchInterval);
        }

        await running.Task.WaitAsync(Hang);
        await BoundedBatchQueueTests.Eventually(() => Volatile.Read(ref submitted) == 4);

        await harness.Context.StopAsync(graceful: false).WaitAsync(Hang);
        await harness.Context.AwaitTerminationAsync().WaitAsync(Hang);

        Assert.Equal(new[] { new BatchTime(harness.Context.BatchInterval.Ticks) }, started);
    }

    [Fact]
    public async Task Records_of_batches_an_abrupt_stop_dropped_are_read_again_after_a_restart_once()
    {
        using var scratch = new Scratch();
        var written = new ConcurrentDictionary<BatchTime, string[]>();
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstLife = true;
        var submitted = 0;
        void Define(StreamingContext context)
        {
            context.AddListener(new Submissions(() => Interlocked.Increment(ref submitted)));
            context.TextFileStream(scratch.Input).ForEachBatch([IdempotentSink] async (IReadOnlyList<string> batch, BatchTime time, CancellationToken cancellationToken) =>
            {
                if (Volatile.Read(ref firstLife))
                {
                    blocked.TrySetResult();
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }

                written[time] = batch.ToArray();
            }, DeliveryGuarantee.ExactlyOnce);
        }

        await using (var first = new CheckpointHarness(scratch.Checkpoints, Define))
        {
            await first.StartAsync();
            scratch.AddFile("a");
            first.Clock.Advance(TimeSpan.FromSeconds(1));
            await blocked.Task.WaitAsync(Hang);
            scratch.AddFile("b");
            first.Clock.Advance(TimeSpan.FromSeconds(1));
            scratch.AddFile("c");
            first.Clock.Advance(TimeSpan.FromSeconds(1));
            await BoundedBatchQueueTests.Eventually(() => Volatile.Read(ref submitted) == 3);

            await first.Context.StopAsync(graceful: false).WaitAsync(Hang);
            await first.Context.AwaitTerminationAsync().WaitAsync(Hang);
        }

        Assert.Empty(written);
        Volatile.Write(ref firstLife, false);
        await using var second = new CheckpointHarness(scratch.Checkpoints, Define, clockStart: CheckpointHarness.Second(3).Ticks);
        await second.StartAsync();
        await second.RunUntilAsync(CheckpointHarness.Second(4));

        // Batch 1 was pending in the checkpoint written before its output: replayed as it was.
        // Batches 2 and 3 were sealed after it and dropped: their files are sealed again.
        Assert.Equal(["a"], written[CheckpointHarness.Second(1)]);
        Assert.Equal(["b", "c"], written[CheckpointHarness.Second(4)]);
        Assert.Equal(2, written.Count);
    }

    [Fact]
    public async Task An_output_that_ignores_cancellation_does_not_hold_an_abrupt_stop()
    {
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var never = new TaskCompletionSource();
        await using var harness = new StreamHarness();
        harness.Queue(new[] { new[] { 1 } }).ForEachBatch((_, _) =>
        {
            running.TrySetResult();
            never.Task.Wait(); // blocks its thread and never looks at a token
        });
        await harness.StartAsync();
        harness.Clock.Advance(harness.Context.BatchInterval);
        await running.Task.WaitAsync(Hang);

        await harness.Context.StopAsync(graceful: false).WaitAsync(Hang);
        await harness.Context.AwaitTerminationAsync().WaitAsync(Hang);
        never.SetResult();
    }

    [Fact]
    public async Task A_lambda_that_never_returns_is_abandoned_after_the_stop_time_out()
    {
        var gate = new Gate();
        await using var harness = new StreamHarness(options: new StreamingOptions { StopTimeout = TimeSpan.FromMilliseconds(200) });
        harness.Queue(new[] { new[] { 1 } }).Select(x => gate.Block(x)).ForEachBatch((_, _) => { });
        await harness.StartAsync();
        harness.Clock.Advance(harness.Context.BatchInterval);
        await gate.Running.Task.WaitAsync(Hang);

        await harness.Clock.AdvanceUntilAsync(harness.Context.StopAsync(graceful: false), TimeSpan.FromMilliseconds(50));

        var error = await Assert.ThrowsAsync<BatchFailedException>(() => harness.Context.AwaitTerminationAsync().WaitAsync(Hang));
        Assert.Equal(BatchStage.Scheduler, error.Stage);
        Assert.IsType<TimeoutException>(error.InnerException);
        gate.Never.SetResult();
    }

    [Fact]
    public async Task A_graceful_stop_that_cannot_drain_turns_abrupt_after_its_time_out()
    {
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var warnings = new WarningLog();
        await using var harness = new StreamHarness(options: new StreamingOptions { GracefulStopTimeout = TimeSpan.FromMilliseconds(200) });
        harness.Context.AddListener(warnings);
        harness.Queue(new[] { new[] { 1 } }).ForEachBatch(async (_, _, cancellationToken) =>
        {
            running.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        });
        await harness.StartAsync();
        harness.Clock.Advance(harness.Context.BatchInterval);
        await running.Task.WaitAsync(Hang);

        await harness.Clock.AdvanceUntilAsync(harness.Context.StopAsync(graceful: true), TimeSpan.FromMilliseconds(50));
        await harness.Context.AwaitTerminationAsync().WaitAsync(Hang);

        Assert.Contains(warnings.Messages, m => m.Contains("did not drain", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_stop_is_seen_by_a_generator_whose_clock_returns_at_once_for_every_deadline()
    {
        // A clock that moves a whole interval whenever it is read keeps the generator behind for
        // ever: every deadline is past. (The outputs' time-out is as long as allowed: the clock
        // races ahead while the queue fills.)
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch) { AutoAdvanceAmount = TimeSpan.FromSeconds(1) };
        await using var context = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = clock, MaxQueuedBatches = 1000, OperationTimeout = TimeSpan.FromDays(24) });
        var batches = 0;
        context.QueueStream(new ConcurrentQueue<IEnumerable<int>>()).ForEachBatch((_, _) => Interlocked.Increment(ref batches));
        await context.StartAsync();
        await BoundedBatchQueueTests.Eventually(() => Volatile.Read(ref batches) > 10);

        await context.StopAsync(graceful: false).WaitAsync(Hang);
        await context.AwaitTerminationAsync().WaitAsync(Hang);
    }

    [Fact]
    public async Task A_slow_output_fails_its_batch_with_a_time_out_naming_it()
    {
        await using var harness = new StreamHarness(options: new StreamingOptions
        {
            OperationTimeout = TimeSpan.FromMilliseconds(100),
            RestartStrategy = RestartStrategy.None,
        });
        harness.Queue(new[] { new[] { 1 } }).ForEachBatch((_, _) => Thread.Sleep(TimeSpan.FromSeconds(2)));
        await harness.StartAsync();

        var batch = await harness.RunBatchAsync(drive: TimeSpan.FromMilliseconds(50));

        var failure = Assert.IsType<BatchFailedException>(batch.Failure);
        Assert.Equal(BatchStage.Output, failure.Stage);
        var timeout = Assert.IsType<TimeoutException>(failure.InnerException);
        Assert.Contains("ForEachBatch", timeout.Message, StringComparison.Ordinal);
        Assert.True(TransientFailures.IsTransient(failure));
    }

    /// <summary>User code that blocks its thread until released, deaf to cancellation.</summary>
    private sealed class Gate
    {
        public TaskCompletionSource Running { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Never { get; } = new();

        public int Block(int x)
        {
            Running.TrySetResult();
            Never.Task.Wait();
            return x;
        }
    }

    private sealed class Submissions(Action submitted) : IStreamingListener
    {
        public void OnBatchSubmitted(BatchInfo batch) => submitted();
    }

    private sealed class WarningLog : IStreamingListener
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public void OnCheckpointWarning(string message) => Messages.Enqueue(message);
    }
}
