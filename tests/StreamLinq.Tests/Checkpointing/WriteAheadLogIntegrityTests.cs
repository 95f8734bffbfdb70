using System.Collections.Concurrent;
using System.Reactive.Subjects;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Checkpointing;

/// <summary>
/// Checksummed segments tracked by the checkpoint: a missing or damaged segment is an error naming
/// it or, under an explicit policy, a counted loss; segments outlive every kept checkpoint. Real files.
/// </summary>
public class WriteAheadLogIntegrityTests
{
    private static BatchTime Second(int n) => CheckpointHarness.Second(n);

    private static void Define(StreamingContext context, IObservable<int> source, ConcurrentQueue<int> seen, BadRecordPolicy policy = BadRecordPolicy.Fail) =>
        context.FromObservable(source, new ReceiverOptions { WriteAheadLog = true, DamagedLogPolicy = policy }).ForEachBatch((batch, _) =>
        {
            foreach (var n in batch)
            {
                seen.Enqueue(n);
            }
        });

    /// <summary>Batch 1 holds 1; then 2 and 3 are acknowledged into the open segment (1) and the driver dies.</summary>
    private static async Task<string> RunAndDieWithUnsealedRecordsAsync(Scratch scratch, ConcurrentQueue<int> seen)
    {
        var subject = new Subject<int>();
        await using var first = new CheckpointHarness(scratch.Checkpoints, c => Define(c, subject, seen));
        await first.StartAsync();
        subject.OnNext(1);
        await first.RunUntilAsync(Second(1));
        subject.OnNext(2);
        subject.OnNext(3);
        await first.Context.StopAsync(graceful: false);
        return Assert.Single(Directory.GetFiles(Path.Combine(scratch.Checkpoints, "receivers"), "segment-000000000001.jsonl", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_deleted_segment_that_a_restart_needs_refuses_the_start_naming_it()
    {
        using var scratch = new Scratch();
        var segment = await RunAndDieWithUnsealedRecordsAsync(scratch, new ConcurrentQueue<int>());
        File.Delete(segment);

        await using var second = new CheckpointHarness(scratch.Checkpoints, c => Define(c, new Subject<int>(), new ConcurrentQueue<int>()), clockStart: Second(1).Ticks);
        var error = await Assert.ThrowsAsync<InvalidDataException>(second.StartAsync);
        Assert.Contains(segment, error.Message, StringComparison.Ordinal);
        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_record_line_that_fails_its_checksum_refuses_the_start_naming_the_segment_and_line()
    {
        using var scratch = new Scratch();
        var segment = await RunAndDieWithUnsealedRecordsAsync(scratch, new ConcurrentQueue<int>());
        var lines = File.ReadAllLines(segment);
        lines[1] = lines[1].Replace(" 2", " 7", StringComparison.Ordinal);
        File.WriteAllLines(segment, lines);

        await using var second = new CheckpointHarness(scratch.Checkpoints, c => Define(c, new Subject<int>(), new ConcurrentQueue<int>()), clockStart: Second(1).Ticks);
        var error = await Assert.ThrowsAsync<InvalidDataException>(second.StartAsync);
        Assert.Contains(segment, error.Message, StringComparison.Ordinal);
        Assert.Contains("record line 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Under_skip_a_lost_segment_is_reported_and_counted_and_the_stream_goes_on()
    {
        using var scratch = new Scratch();
        var seen = new ConcurrentQueue<int>();
        var segment = await RunAndDieWithUnsealedRecordsAsync(scratch, seen);
        File.Delete(segment);

        var again = new Subject<int>();
        await using var second = new CheckpointHarness(scratch.Checkpoints, c => Define(c, again, seen, BadRecordPolicy.Skip), clockStart: Second(1).Ticks);
        await second.StartAsync();
        again.OnNext(4);
        await second.RunUntilAsync(Second(2));

        Assert.Equal([1, 4], seen.ToArray());
        var dropped = Assert.Single(second.Dropped);
        Assert.Contains(Path.GetFileName(segment), dropped.Location, StringComparison.Ordinal);
        Assert.Equal(BadRecordPolicy.Skip, dropped.Policy);
    }

    [Fact]
    public async Task After_falling_back_to_the_oldest_kept_checkpoint_its_segments_still_exist_and_no_acknowledged_record_is_lost()
    {
        using var scratch = new Scratch();
        var seen = new ConcurrentQueue<int>();
        var subject = new Subject<int>();
        await using (var first = new CheckpointHarness(scratch.Checkpoints, c => Define(c, subject, seen)))
        {
            await first.StartAsync();
            for (var n = 1; n <= 6; n++)
            {
                subject.OnNext(n);
                await first.RunUntilAsync(Second(n));
            }

            subject.OnNext(7);
            await first.Context.StopAsync(graceful: false);
        }

        // The two newest checkpoints are damaged: recovery falls back to the oldest kept one.
        foreach (var file in scratch.CheckpointFiles()[^2..])
        {
            File.WriteAllText(file, "damaged");
        }

        var afterCrash = new ConcurrentQueue<int>();
        await using var second = new CheckpointHarness(scratch.Checkpoints, c => Define(c, new Subject<int>(), afterCrash), clockStart: Second(6).Ticks);
        Assert.Equal(Second(4), second.Context.RecoveredBatchTime);
        await second.StartAsync();
        await second.RunUntilAsync(Second(7));

        // At least once: batches 5 and 6 come again, and 7, acknowledged but never in a batch, arrives.
        Assert.Equal([5, 6, 7], afterCrash.Order().ToArray());
        Assert.Empty(second.Dropped);
    }

    [Fact]
    public async Task A_sealed_segment_cut_short_is_told_from_a_crash_and_refused_naming_it()
    {
        using var scratch = new Scratch();
        var subject = new Subject<int>();
        await using (var first = new CheckpointHarness(scratch.Checkpoints, c => Define(c, subject, new ConcurrentQueue<int>())))
        {
            await first.StartAsync();
            for (var n = 1; n <= 6; n++)
            {
                subject.OnNext(n * 10);
                await first.RunUntilAsync(Second(n));
            }

            await first.Context.StopAsync(graceful: false);
        }

        foreach (var file in scratch.CheckpointFiles()[^2..])
        {
            File.WriteAllText(file, "damaged");
        }

        // Segment 4 (batch 5's) loses its trailer and half its last line, as a torn write would leave it.
        var segment = Assert.Single(Directory.GetFiles(Path.Combine(scratch.Checkpoints, "receivers"), "segment-000000000004.jsonl", SearchOption.AllDirectories));
        var text = File.ReadAllText(segment);
        var trailer = text.LastIndexOf("SEALED", StringComparison.Ordinal);
        File.WriteAllText(segment, text[..(trailer - 3)]);

        await using var second = new CheckpointHarness(scratch.Checkpoints, c => Define(c, new Subject<int>(), new ConcurrentQueue<int>()), clockStart: Second(6).Ticks);
        var error = await Assert.ThrowsAsync<InvalidDataException>(second.StartAsync);
        Assert.Contains(segment, error.Message, StringComparison.Ordinal);
        Assert.Contains("lost its trailer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pending_batch_whose_segment_was_replaced_fails_naming_the_segment()
    {
        using var scratch = new Scratch();
        var subject = new Subject<int>();
        var failing = true;
        void Failing(StreamingContext context, IObservable<int> source) =>
            context.FromObservable(source, new ReceiverOptions { WriteAheadLog = true }).ForEachBatch([IdempotentSink] (IReadOnlyList<int> _, BatchTime _) =>
            {
                if (failing)
                {
                    throw new InvalidOperationException("the sink is down");
                }
            }, DeliveryGuarantee.ExactlyOnce);

        await using (var first = new CheckpointHarness(scratch.Checkpoints, c => Failing(c, subject)))
        {
            await first.StartAsync();
            subject.OnNext(1);
            subject.OnNext(2);
            Assert.NotNull((await first.RunUntilAsync(Second(1))).Failure);
        }

        // Another sealed segment of the same length but other records takes its place.
        var segment = Assert.Single(Directory.GetFiles(Path.Combine(scratch.Checkpoints, "receivers"), "segment-000000000000.jsonl", SearchOption.AllDirectories));
        var lines = File.ReadAllLines(segment);
        File.WriteAllLines(segment, [lines[0], lines[2], lines[1], lines[3]]);

        failing = false;
        await using var second = new CheckpointHarness(scratch.Checkpoints, c => Failing(c, new Subject<int>()));
        await second.StartAsync();
        var replay = await second.RunUntilAsync(Second(1));
        var error = Assert.IsType<SourceException>(Assert.IsType<BatchFailedException>(replay.Failure).InnerException);
        Assert.Contains(segment, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Checkpoint_writes_that_failed_and_were_retried_do_not_count_as_kept_checkpoints_when_segments_are_deleted()
    {
        using var scratch = new Scratch();
        var seen = new ConcurrentQueue<int>();
        var subject = new Subject<int>();
        var failuresLeft = 0;
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
            var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
            var completed = new CompletedBatches();
            var context = StreamingContext.GetOrCreate(scratch.Checkpoints, () =>
            {
                var created = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = clock, RestartStrategy = RestartStrategy.FixedDelay(5, TimeSpan.FromMilliseconds(5)) });
                created.AddListener(completed);
                Define(created, subject, seen);
                return created;
            });
            FailCheckpoints.Value = true;
            await context.StartAsync();
            FailCheckpoints.Value = false;
            for (var n = 1; n <= 5; n++)
            {
                if (n == 5)
                {
                    // Batch 5's checkpoint fails three times (a full disk), then is written.
                    Volatile.Write(ref failuresLeft, 3);
                }

                subject.OnNext(n);
                var done = completed.Of(Second(n));
                clock.Advance(TimeSpan.FromSeconds(1));
                await clock.AdvanceUntilAsync(done, TimeSpan.FromMilliseconds(5));
                Assert.Null((await done.WaitAsync(TimeSpan.FromSeconds(30))).Failure);
            }

            await context.StopAsync(graceful: false);
        }
        finally
        {
            StreamLinq.Checkpointing.CheckpointFile.WriteHook = previous;
        }

        // Three checkpoints are kept; the two newest are damaged: recovery falls back to batch 3's,
        // which needs the segment of batch 4. The failed writes were no checkpoints past it.
        foreach (var file in scratch.CheckpointFiles()[^2..])
        {
            File.WriteAllText(file, "damaged");
        }

        var afterCrash = new ConcurrentQueue<int>();
        await using var second = new CheckpointHarness(scratch.Checkpoints, c => Define(c, new Subject<int>(), afterCrash), clockStart: Second(5).Ticks);
        Assert.Equal(Second(3), second.Context.RecoveredBatchTime);
        await second.StartAsync();
        await second.RunUntilAsync(Second(6));
        Assert.Equal([4, 5], afterCrash.Order().ToArray());
        Assert.Empty(second.Dropped);
    }

    private static readonly AsyncLocal<bool> FailCheckpoints = new();

    private sealed class CompletedBatches : IStreamingListener
    {
        private readonly ConcurrentDictionary<BatchTime, TaskCompletionSource<BatchInfo>> _completed = new();

        public Task<BatchInfo> Of(BatchTime time) =>
            _completed.GetOrAdd(time, _ => new TaskCompletionSource<BatchInfo>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

        public void OnBatchCompleted(BatchInfo batch) =>
            _completed.GetOrAdd(batch.Time, _ => new TaskCompletionSource<BatchInfo>(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(batch);
    }
}
