using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace StreamLinq.Tests.Scheduling;

/// <summary>
/// Who seals each batch: the runner, between batches, sleeps to the next boundary and seals and
/// runs the batch itself (one thread wake per idle batch); while a batch runs past boundaries, the
/// generator seals them on time, so that sealing still overlaps running.
/// </summary>
public sealed class BoundaryHandOverTests
{
    private const string RunnerThread = "StreamLinq batch runner";
    private const string GeneratorThread = "StreamLinq batch generator";

    [Fact]
    public async Task An_idle_context_seals_its_batches_on_the_runner_thread_that_runs_them()
    {
        await using var context = new StreamingContext(TimeSpan.FromMilliseconds(10));
        var sealers = new ConcurrentQueue<string?>();
        var writers = new ConcurrentQueue<string?>();
        context.AddListener(new Submissions(_ => sealers.Enqueue(Thread.CurrentThread.Name)));
        context.FromObservable(new Never()).ForEachBatch((_, _) => writers.Enqueue(Thread.CurrentThread.Name));
        await context.StartAsync();

        // On a loaded machine a batch may outlast its interval, and then the generator seals the
        // next one; once the runner gets a moment between batches it seals them.
        await BoundedBatchQueueTests.Eventually(() => sealers.Count(t => t == RunnerThread) >= 5);
        await context.StopAsync();

        Assert.All(sealers, t => Assert.True(t is RunnerThread or GeneratorThread, $"a batch was sealed on {t}"));
        Assert.All(writers, t => Assert.Equal(RunnerThread, t));
    }

    [Fact]
    public async Task While_a_batch_runs_past_its_boundaries_the_generator_seals_each_of_them_at_its_boundary()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var interval = TimeSpan.FromSeconds(1);
        await using var context = new StreamingContext(interval, new StreamingOptions { TimeProvider = clock, MaxQueuedBatches = 10 });
        var submitted = new ConcurrentQueue<(BatchInfo Batch, string? Thread)>();
        context.AddListener(new Submissions(b => submitted.Enqueue((b, Thread.CurrentThread.Name))));
        using var release = new ManualResetEventSlim();
        var written = new ConcurrentQueue<BatchTime>();
        context.FromObservable(new Never()).ForEachBatch((_, time) =>
        {
            if (written.IsEmpty)
            {
                release.Wait(TimeSpan.FromSeconds(30));
            }

            written.Enqueue(time);
        });
        await context.StartAsync();

        clock.Advance(interval);
        await BoundedBatchQueueTests.Eventually(() => submitted.Count == 1);
        var first = submitted.First().Batch.Time;
        for (var i = 1; i <= 3; i++)
        {
            clock.Advance(interval);
            await BoundedBatchQueueTests.Eventually(() => submitted.Count == 1 + i);
        }

        // Sealed while the first batch was still running: by the generator, each when its boundary came.
        Assert.Empty(written);
        var sealedMeanwhile = submitted.Skip(1).ToArray();
        Assert.All(sealedMeanwhile, s => Assert.Equal(GeneratorThread, s.Thread));
        Assert.Equal([first.Ticks + interval.Ticks, first.Ticks + (2 * interval.Ticks), first.Ticks + (3 * interval.Ticks)], sealedMeanwhile.Select(s => s.Batch.Time.Ticks));
        Assert.All(sealedMeanwhile, s => Assert.Equal(s.Batch.Time.Ticks, s.Batch.SubmissionTime));

        release.Set();
        await BoundedBatchQueueTests.Eventually(() => written.Count == 4);
        Assert.Equal(submitted.Select(s => s.Batch.Time), written);
    }

    private sealed class Submissions(Action<BatchInfo> onSubmitted) : IStreamingListener
    {
        public void OnBatchSubmitted(BatchInfo batch) => onSubmitted(batch);
    }

    /// <summary>A push source that never receives anything.</summary>
    private sealed class Never : IObservable<int>
    {
        public IDisposable Subscribe(IObserver<int> observer) => new Nothing();

        private sealed class Nothing : IDisposable
        {
            public void Dispose()
            {
            }
        }
    }
}
