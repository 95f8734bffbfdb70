using System.Collections.Concurrent;
using StreamLinq.Tests.Checkpointing;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Scheduling;

/// <summary>
/// <see cref="StreamingContext.SetBatchIntervalAsync"/>: a change applies at the next batch
/// boundary, is refused when it would misalign a window, and survives a restart through the
/// checkpoint.
/// </summary>
public class BatchIntervalChangeTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private static BatchTime At(int seconds) => new(TimeSpan.FromSeconds(seconds).Ticks);

    [Fact]
    public async Task A_change_applies_after_the_next_boundary_and_batch_times_become_multiples_of_the_new_interval()
    {
        await using var harness = new StreamHarness(Second);
        harness.Queue(new[] { new[] { 1 } }).ForEachBatch((_, _) => { });
        await harness.StartAsync();
        await harness.RunBatchAsync(); // 1 s; the generator already fixed the next batch at 2 s
        var change = harness.Context.SetBatchIntervalAsync(3 * Second);
        harness.Clock.Advance(Second);
        Assert.Equal(Second, (await harness.Completion(At(2)).WaitAsync(TimeSpan.FromSeconds(30))).Interval);
        Assert.Equal(At(3), await change.WaitAsync(TimeSpan.FromSeconds(30))); // the first multiple of 3 s after 2 s
        Assert.Equal(3 * Second, harness.Context.BatchInterval);
        harness.Clock.Advance(Second);
        Assert.Equal(3 * Second, (await harness.Completion(At(3)).WaitAsync(TimeSpan.FromSeconds(30))).Interval);
        harness.Clock.Advance(3 * Second);
        await harness.Completion(At(6)).WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task An_interval_that_would_misalign_a_window_is_refused_naming_the_window_and_the_interval()
    {
        await using var harness = new StreamHarness(Second);
        harness.Queue(new[] { new[] { 1 } }).Window(6 * Second, 2 * Second).ForEachBatch((_, _) => { });
        await harness.StartAsync();
        var error = Assert.Throws<ArgumentException>(() => { _ = harness.Context.SetBatchIntervalAsync(4 * Second); });
        Assert.Contains("Window", error.Message, StringComparison.Ordinal);
        Assert.Contains("length 00:00:06", error.Message, StringComparison.Ordinal);
        Assert.Contains("slide 00:00:02", error.Message, StringComparison.Ordinal);
        Assert.Contains("00:00:04", error.Message, StringComparison.Ordinal);
        Assert.Equal(Second, harness.Context.BatchInterval);

        // A divisor of the window's length and slide is taken.
        var change = harness.Context.SetBatchIntervalAsync(2 * Second);
        await harness.RunBatchAsync();
        Assert.Equal(At(2), await change.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task The_interval_changes_only_on_a_running_context_that_does_not_adapt_it()
    {
        await using var idle = new StreamingContext(Second);
        Assert.Throws<InvalidOperationException>(() => { _ = idle.SetBatchIntervalAsync(2 * Second); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = idle.SetBatchIntervalAsync(TimeSpan.FromMilliseconds(1)); });

        await using var adaptive = new StreamHarness(Second, new StreamingOptions { AdaptiveInterval = new AdaptiveBatchInterval(TimeSpan.FromMilliseconds(100), 5 * Second) });
        adaptive.Queue(new[] { new[] { 1 } }).ForEachBatch((_, _) => { });
        await adaptive.StartAsync();
        var error = Assert.Throws<InvalidOperationException>(() => { _ = adaptive.Context.SetBatchIntervalAsync(2 * Second); });
        Assert.Contains(nameof(StreamingOptions.AdaptiveInterval), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_change_still_waiting_for_its_boundary_is_cancelled_when_the_context_stops()
    {
        await using var harness = new StreamHarness(Second);
        harness.Queue(new[] { new[] { 1 } }).ForEachBatch((_, _) => { });
        await harness.StartAsync();
        var change = harness.Context.SetBatchIntervalAsync(2 * Second);
        await harness.Context.StopAsync(graceful: false);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => change.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_restart_after_an_interval_change_resumes_with_that_interval_after_the_last_batch()
    {
        using var scratch = new Scratch();
        var seen = new ConcurrentQueue<(BatchTime, string)>();
        void Define(StreamingContext context) => context.TextFileStream(scratch.Input).ForEachBatch((batch, time) =>
        {
            foreach (var line in batch)
            {
                seen.Enqueue((time, line));
            }
        });

        scratch.AddFile("a");
        await using (var first = new CheckpointHarness(scratch.Checkpoints, Define))
        {
            await first.StartAsync();
            await first.RunUntilAsync(At(1));
            var change = first.Context.SetBatchIntervalAsync(2 * Second);
            scratch.AddFile("b");
            Assert.Equal(Second, (await first.RunUntilAsync(At(2))).Interval);
            Assert.Equal(At(4), await change.WaitAsync(TimeSpan.FromSeconds(30)));
            scratch.AddFile("c");
            Assert.Equal(2 * Second, (await first.RunUntilAsync(At(4))).Interval);
            await first.Context.StopAsync(graceful: false);
        }

        // Created with the same interval as before, the context resumes with the one in force.
        scratch.AddFile("d");
        await using var second = new CheckpointHarness(scratch.Checkpoints, Define, clockStart: At(4).Ticks);
        await second.StartAsync();
        Assert.Equal(2 * Second, second.Context.BatchInterval);
        Assert.Equal(2 * Second, (await second.RunUntilAsync(At(6))).Interval);
        Assert.Equal(new[] { (At(1), "a"), (At(2), "b"), (At(4), "c"), (At(6), "d") }, seen.ToArray());
        Assert.Empty(second.Warnings);
    }

    [Fact]
    public async Task A_context_created_with_another_interval_than_its_checkpoint_applies_it_after_the_last_batch()
    {
        using var scratch = new Scratch();
        var seen = new ConcurrentQueue<(BatchTime, string)>();
        void Define(StreamingContext context) => context.TextFileStream(scratch.Input).ForEachBatch((batch, time) =>
        {
            foreach (var line in batch)
            {
                seen.Enqueue((time, line));
            }
        });

        await using (var first = new CheckpointHarness(scratch.Checkpoints, Define))
        {
            scratch.AddFile("a");
            await first.StartAsync();
            await first.RunUntilAsync(At(1));
            scratch.AddFile("b");
            await first.RunUntilAsync(At(2));
            await first.Context.StopAsync(graceful: false);
        }

        scratch.AddFile("c");
        await using var second = new CheckpointHarness(scratch.Checkpoints, Define, clockStart: At(2).Ticks, interval: 3 * Second);
        await second.StartAsync();
        Assert.Equal(3 * Second, (await second.RunUntilAsync(At(3))).Interval);
        Assert.Equal(new[] { (At(1), "a"), (At(2), "b"), (At(3), "c") }, seen.ToArray());
    }
}
