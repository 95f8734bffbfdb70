using System.Collections.Concurrent;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Scheduling;

/// <summary>The queue of sealed batches is bounded: a full queue holds the generator back, drops nothing and keeps batch times consecutive.</summary>
public class BoundedBatchQueueTests
{
    [Fact]
    public async Task A_full_queue_holds_sealing_back_and_every_record_arrives_once_in_consecutive_batches()
    {
        var submitted = new SubmissionLog();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = new StreamHarness(options: new StreamingOptions { MaxQueuedBatches = 2 });
        harness.Context.AddListener(submitted);
        var receiver = new ReceiverFeed();
        var results = new ConcurrentDictionary<BatchTime, int[]>();
        harness.Context.FromAsyncEnumerable(receiver.ReadAllAsync()).ForEachBatch(async (batch, time, _) =>
        {
            await release.Task;
            results[time] = batch.ToArray();
        });
        await harness.StartAsync();

        // The first batch blocks in its output; ten more intervals pass with records in each.
        var sent = 0;
        for (var interval = 0; interval < 11; interval++)
        {
            for (var i = 0; i < 5; i++)
            {
                await receiver.Writer.WriteAsync(sent++);
            }

            await receiver.DrainedAsync();
            harness.Clock.Advance(harness.Context.BatchInterval);
            await Task.Delay(20);
        }

        // One running, two queued: the generator sealed no more, however far the clock moved.
        await Eventually(() => submitted.Times.Count == 3);
        await Task.Delay(100);
        Assert.Equal(3, submitted.Times.Count);

        release.SetResult();
        await harness.Context.StopAsync(graceful: true);
        await harness.Context.AwaitTerminationAsync().WaitAsync(TimeSpan.FromSeconds(30));

        var times = results.Keys.Order().ToList();
        Assert.Equal(times.Select((_, i) => new BatchTime((i + 1) * harness.Context.BatchInterval.Ticks)), times);
        Assert.Equal(Enumerable.Range(0, sent), times.SelectMany(t => results[t]));
    }

    [Fact]
    public async Task A_batch_sealed_late_because_the_queue_was_full_counts_the_hold_as_scheduling_delay()
    {
        var submitted = new SubmissionLog();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = new StreamHarness(options: new StreamingOptions { MaxQueuedBatches = 1 });
        harness.Context.AddListener(submitted);
        harness.Queue(Enumerable.Range(0, 10).Select(i => new[] { i })).ForEachBatch(async (_, _, _) => await release.Task);
        await harness.StartAsync();

        harness.Clock.Advance(harness.Context.BatchInterval); // batch 1 runs and blocks
        await Eventually(() => submitted.Times.Count == 1);
        harness.Clock.Advance(harness.Context.BatchInterval); // batch 2 is queued
        await Eventually(() => submitted.Times.Count == 2);
        harness.Clock.Advance(harness.Context.BatchInterval * 3); // batch 3 is due but held back
        await Task.Delay(100);
        Assert.Equal(2, submitted.Times.Count);

        release.SetResult();
        await Eventually(() => submitted.Times.Count >= 3);
        var third = submitted.Batches.Single(b => b.Time == new BatchTime(3 * harness.Context.BatchInterval.Ticks));
        Assert.Equal(third.Time.Ticks, third.SubmissionTime);
    }

    [Fact]
    public async Task A_job_catching_up_through_a_full_queue_runs_every_due_batch_once_in_order_and_then_keeps_time()
    {
        var sealers = new ConcurrentQueue<(BatchTime Time, string? Thread)>();
        await using var harness = new StreamHarness(options: new StreamingOptions { MaxQueuedBatches = 1 });
        harness.Context.AddListener(new Sealers(sealers));
        var feed = new ConcurrentQueue<IEnumerable<int>>();
        var results = new ConcurrentQueue<(BatchTime Time, int[] Records)>();
        harness.Context.QueueStream(feed).ForEachBatch((batch, time) => results.Enqueue((time, batch.ToArray())));
        await harness.StartAsync();

        // Rounds of forty boundaries passing at once, a record queued for each: the runner takes
        // a batch, the generator is held back by the one-batch queue, and the due batches are
        // sealed into the room each read makes; between rounds the generator keeps time again.
        const int Rounds = 50, PerRound = 40, Due = Rounds * PerRound;
        for (var round = 0; round < Rounds; round++)
        {
            for (var i = 0; i < PerRound; i++)
            {
                feed.Enqueue([round * PerRound + i]);
            }

            harness.Clock.Advance(harness.Context.BatchInterval * PerRound);
            await Eventually(() => results.Count == (round + 1) * PerRound);
        }

        // Caught up, the job keeps time: the next boundary seals the next record.
        feed.Enqueue([Due]);
        harness.Clock.Advance(harness.Context.BatchInterval);
        await Eventually(() => results.Count == Due + 1);

        var interval = harness.Context.BatchInterval.Ticks;
        Assert.Equal(Enumerable.Range(1, Due + 1).Select(i => new BatchTime(i * interval)), results.Select(r => r.Time));
        Assert.Equal(Enumerable.Range(0, Due + 1), results.SelectMany(r => r.Records));
        Assert.Equal(Due + 1, sealers.Select(s => s.Time).Distinct().Count());
        Assert.Contains(sealers, s => s.Thread == "StreamLinq batch runner");
    }

    [Fact]
    public void A_queue_bound_below_one_is_refused()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { MaxQueuedBatches = 0 }));
        Assert.Equal("options", error.ParamName);
    }

    internal static async Task Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 600 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition(), "The condition did not hold within 6 seconds.");
    }

    private sealed class SubmissionLog : IStreamingListener
    {
        public ConcurrentQueue<BatchInfo> Batches { get; } = new();

        public IReadOnlyCollection<BatchTime> Times => Batches.Select(b => b.Time).ToList();

        public void OnBatchSubmitted(BatchInfo batch) => Batches.Enqueue(batch);
    }

    private sealed class Sealers(ConcurrentQueue<(BatchTime Time, string? Thread)> sealers) : IStreamingListener
    {
        public void OnBatchSubmitted(BatchInfo batch) => sealers.Enqueue((batch.Time, Thread.CurrentThread.Name));
    }

    /// <summary>A producer the test feeds and can wait on until the receiver took everything.</summary>
    private sealed class ReceiverFeed
    {
        private readonly System.Threading.Channels.Channel<int> _channel = System.Threading.Channels.Channel.CreateUnbounded<int>();

        public System.Threading.Channels.ChannelWriter<int> Writer => _channel.Writer;

        public async Task DrainedAsync()
        {
            while (_channel.Reader.Count > 0)
            {
                await Task.Delay(2);
            }

            await Task.Delay(10);
        }

        public IAsyncEnumerable<int> ReadAllAsync() => _channel.Reader.ReadAllAsync();
    }
}
