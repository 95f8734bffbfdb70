using System.Collections.Concurrent;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Scheduling;

/// <summary>
/// A batch's first attempt makes its calls on the runner's own thread, with no thread-pool hop;
/// a call that outlives <see cref="StreamingOptions.OperationTimeout"/> there is left to that
/// thread while a new runner goes on with the batch and the next ones.
/// </summary>
public sealed class RunnerHandOffTests
{
    [Fact]
    public async Task An_empty_batchs_output_runs_on_the_runners_own_thread_not_on_the_pool()
    {
        await using var harness = new StreamHarness();
        var threads = new ConcurrentQueue<(bool Pool, int Id)>();
        harness.Queue(Array.Empty<int[]>()).ForEachBatch((_, _) => threads.Enqueue((Thread.CurrentThread.IsThreadPoolThread, Environment.CurrentManagedThreadId)));
        await harness.StartAsync();

        for (var i = 0; i < 3; i++)
        {
            Assert.Null((await harness.RunBatchAsync()).Failure);
        }

        Assert.Equal(3, threads.Count);
        Assert.DoesNotContain(threads, t => t.Pool);
        Assert.Single(threads.Select(t => t.Id).Distinct());
    }

    [Fact]
    public async Task An_output_that_blocks_its_thread_past_the_time_out_fails_its_batch_once_and_the_next_batches_run()
    {
        var release = new ManualResetEventSlim();
        await using var harness = new StreamHarness(options: new StreamingOptions
        {
            OperationTimeout = TimeSpan.FromSeconds(5),
            RestartStrategy = RestartStrategy.None,
            StopOnBatchFailure = false,
        });
        var completed = new ConcurrentQueue<BatchInfo>();
        harness.Context.AddListener(new Completions(completed));
        var written = new ConcurrentQueue<int>();
        harness.Queue(new[] { new[] { 1 }, new[] { 2 }, new[] { 3 } }).ForEachBatch((batch, _) =>
        {
            if (batch.Count == 0)
            {
                return;
            }

            if (batch[0] == 1)
            {
                release.Wait(); // deaf to its token, and never returns until the test ends
            }

            written.Enqueue(batch[0]);
        });
        await harness.StartAsync();

        var first = await harness.RunBatchAsync(drive: TimeSpan.FromSeconds(1));
        var failure = Assert.IsType<BatchFailedException>(first.Failure);
        Assert.Equal(BatchStage.Output, failure.Stage);
        Assert.Contains("ForEachBatch", Assert.IsType<TimeoutException>(failure.InnerException).Message, StringComparison.Ordinal);

        Assert.Null((await harness.RunBatchAsync()).Failure);
        Assert.Equal(2, written.First());

        // The left call returns: its thread ends without finishing the batch a second time.
        release.Set();
        await BoundedBatchQueueTests.Eventually(() => written.Contains(1));
        Assert.Null((await harness.RunBatchAsync()).Failure);
        Assert.Equal([2, 3], written.Where(x => x != 1));
        // One snapshot: batches queued while the clock was driven may still be completing.
        var seen = completed.ToArray();
        Assert.Single(seen, b => b.Time == first.Time);
        Assert.Equal(seen.Length, seen.Select(b => b.Time).Distinct().Count());
    }

    [Fact]
    public async Task A_batch_whose_call_was_left_at_its_time_out_is_retried_and_written()
    {
        var release = new ManualResetEventSlim();
        await using var harness = new StreamHarness(options: new StreamingOptions
        {
            OperationTimeout = TimeSpan.FromSeconds(5),
            RestartStrategy = RestartStrategy.FixedDelay(3, TimeSpan.FromSeconds(1)),
        });
        var calls = 0;
        var written = new ConcurrentQueue<int[]>();
        harness.Queue(new[] { new[] { 1, 2 } }).ForEachBatch((batch, _) =>
        {
            if (batch.Count == 0)
            {
                return;
            }

            if (Interlocked.Increment(ref calls) == 1)
            {
                release.Wait();
                return;
            }

            written.Enqueue([.. batch]);
        });
        await harness.StartAsync();

        var batch = await harness.RunBatchAsync(drive: TimeSpan.FromSeconds(1));
        release.Set();

        Assert.Null(batch.Failure);
        Assert.Equal(2, Volatile.Read(ref calls));
        Assert.Equal([1, 2], Assert.Single(written));
    }

    private sealed class Completions(ConcurrentQueue<BatchInfo> completed) : IStreamingListener
    {
        public void OnBatchCompleted(BatchInfo batch) => completed.Enqueue(batch);
    }
}
