using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace StreamLinq.Tests.Checkpointing;

public class RecoveryTests
{
    private static BatchTime Second(int n) => CheckpointHarness.Second(n);

    [Fact]
    public async Task A_recovered_context_resumes_after_the_files_it_already_processed()
    {
        using var scratch = new Scratch();
        var seen = new ConcurrentQueue<(BatchTime, string)>();
        void Define(StreamingContext context) =>
            context.TextFileStream(scratch.Input).Select(l => l.ToUpperInvariant()).ForEachBatch((batch, time) =>
            {
                foreach (var line in batch)
                {
                    seen.Enqueue((time, line));
                }
            });

        scratch.AddFile("a", "b");
        await using (var first = new CheckpointHarness(scratch.Checkpoints, Define))
        {
            Assert.Null(first.Context.RecoveredBatchTime);
            await first.StartAsync();
            await first.RunUntilAsync(Second(1));
            scratch.AddFile("c");
            await first.RunUntilAsync(Second(2));
            await first.Context.StopAsync(graceful: false);
        }

        scratch.AddFile("d");
        await using var second = new CheckpointHarness(scratch.Checkpoints, Define, clockStart: Second(2).Ticks);
        Assert.Equal(Second(2), second.Context.RecoveredBatchTime);
        await second.StartAsync();
        await second.RunUntilAsync(Second(3));
        Assert.Equal(new[] { (Second(1), "A"), (Second(1), "B"), (Second(2), "C"), (Second(3), "D") }, seen.ToArray());
        Assert.Empty(second.Warnings);
    }

    [Fact]
    public async Task Keyed_state_survives_a_restart_through_the_checkpoint()
    {
        using var scratch = new Scratch();
        var counts = new ConcurrentDictionary<BatchTime, Dictionary<string, int>>();
        void Define(StreamingContext context) =>
            context.TextFileStream(scratch.Input)
                .Select(w => new KeyValuePair<string, int>(w, 1))
                .UpdateStateByKey((IReadOnlyList<int> ones, int? count) => (int?)((count ?? 0) + ones.Count))
                .ForEachBatch((batch, time) => counts[time] = batch.ToDictionary(p => p.Key, p => p.Value));

        scratch.AddFile("a", "a", "b");
        await using (var first = new CheckpointHarness(scratch.Checkpoints, Define))
        {
            await first.StartAsync();
            await first.RunUntilAsync(Second(1));
            await first.Context.StopAsync(graceful: false);
        }

        scratch.AddFile("a", "c");
        await using var second = new CheckpointHarness(scratch.Checkpoints, Define, clockStart: Second(1).Ticks);
        await second.StartAsync();
        await second.RunUntilAsync(Second(2));
        Assert.Equal(2, counts[Second(1)]["a"]);
        Assert.Equal(3, counts[Second(2)]["a"]);
        Assert.Equal(1, counts[Second(2)]["b"]);
        Assert.Equal(1, counts[Second(2)]["c"]);
        Assert.Empty(second.Warnings);
    }

    [Fact]
    public async Task Stateful_queries_that_differ_only_in_a_captured_value_each_restore_their_own_state()
    {
        using var scratch = new Scratch();
        var counts = new ConcurrentDictionary<(string, BatchTime), int>();
        void Define(StreamingContext context)
        {
            var words = context.TextFileStream(scratch.Input);
            foreach (var wanted in new[] { "a", "b" })
            {
                // Both plans render alike (the captured value prints as a closure field).
                words.Where(w => w == wanted)
                    .Select(w => new KeyValuePair<string, int>(w, 1))
                    .UpdateStateByKey((IReadOnlyList<int> ones, int? count) => (int?)((count ?? 0) + ones.Count))
                    .ForEachBatch((batch, time) => counts[(wanted, time)] = batch.Sum(p => p.Value));
            }
        }

        scratch.AddFile("a", "a", "b");
        await using (var first = new CheckpointHarness(scratch.Checkpoints, Define))
        {
            await first.StartAsync();
            await first.RunUntilAsync(Second(1));
            await first.Context.StopAsync(graceful: false);
        }

        scratch.AddFile("a", "b");
        await using var second = new CheckpointHarness(scratch.Checkpoints, Define, clockStart: Second(1).Ticks);
        await second.StartAsync();
        await second.RunUntilAsync(Second(2));
        Assert.Equal((2, 1), (counts[("a", Second(1))], counts[("b", Second(1))]));
        Assert.Equal((3, 2), (counts[("a", Second(2))], counts[("b", Second(2))]));
        Assert.Empty(second.Warnings);
    }

    [Fact]
    public async Task A_window_keeps_the_batches_it_covers_across_a_restart()
    {
        using var scratch = new Scratch();
        var counts = new ConcurrentDictionary<BatchTime, long>();
        void Define(StreamingContext context) =>
            context.TextFileStream(scratch.Input)
                .Window(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1))
                .Count()
                .ForEachBatch((batch, time) => counts[time] = batch.Single());

        await using (var first = new CheckpointHarness(scratch.Checkpoints, Define))
        {
            await first.StartAsync();
            scratch.AddFile("a", "b");
            await first.RunUntilAsync(Second(1));
            scratch.AddFile("c");
            await first.RunUntilAsync(Second(2));
            await first.Context.StopAsync(graceful: false);
        }

        await using var second = new CheckpointHarness(scratch.Checkpoints, Define, clockStart: Second(2).Ticks);
        await second.StartAsync();
        scratch.AddFile("d");
        await second.RunUntilAsync(Second(3));
        await second.RunUntilAsync(Second(4));
        Assert.Equal(4, counts[Second(3)]);
        Assert.Equal(2, counts[Second(4)]);
        Assert.Empty(second.Warnings);
    }

    [Fact]
    public async Task A_truncated_newest_checkpoint_falls_back_to_the_previous_one_with_a_warning()
    {
        using var scratch = new Scratch();
        await RunTwoBatchesAsync(scratch);
        var newest = scratch.CheckpointFiles()[^1];
        var bytes = File.ReadAllBytes(newest);
        File.WriteAllBytes(newest, bytes[..(bytes.Length / 2)]);

        await using var second = new CheckpointHarness(scratch.Checkpoints, DefineCounting(new ConcurrentQueue<string>(), scratch));
        Assert.Equal(Second(1), second.Context.RecoveredBatchTime);
        var warning = Assert.Single(second.Warnings);
        Assert.Contains("truncated", warning, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(newest), warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_corrupt_newest_checkpoint_falls_back_to_the_previous_one_with_a_warning()
    {
        using var scratch = new Scratch();
        await RunTwoBatchesAsync(scratch);
        var newest = scratch.CheckpointFiles()[^1];
        var bytes = File.ReadAllBytes(newest);
        bytes[^5] ^= 0x20;
        File.WriteAllBytes(newest, bytes);

        var seen = new ConcurrentQueue<string>();
        await using var second = new CheckpointHarness(scratch.Checkpoints, DefineCounting(seen, scratch), clockStart: Second(1).Ticks);
        Assert.Equal(Second(1), second.Context.RecoveredBatchTime);
        Assert.Contains("corrupt", Assert.Single(second.Warnings), StringComparison.Ordinal);

        // Back at the end of batch 1: the file of batch 2 is read again.
        await second.StartAsync();
        await second.RunUntilAsync(Second(2));
        Assert.Equal(["b"], seen.ToArray()[^1..]);
    }

    [Fact]
    public async Task Every_damaged_checkpoint_is_skipped_and_none_left_means_a_fresh_start()
    {
        using var scratch = new Scratch();
        await RunTwoBatchesAsync(scratch);
        foreach (var file in scratch.CheckpointFiles())
        {
            File.WriteAllText(file, "not a checkpoint");
        }

        await using var second = new CheckpointHarness(scratch.Checkpoints, DefineCounting(new ConcurrentQueue<string>(), scratch));
        Assert.Null(second.Context.RecoveredBatchTime);
        Assert.Equal(scratch.CheckpointFiles().Length, second.Warnings.Count);
    }

    [Fact]
    public async Task A_changed_query_whose_state_does_not_fit_is_refused_with_a_message_naming_the_output_that_changed()
    {
        using var scratch = new Scratch();
        await RunStatefulAsync(scratch, context => context.TextFileStream(scratch.Input));
        var error = Assert.Throws<InvalidOperationException>(() => new CheckpointHarness(scratch.Checkpoints, context =>
            DefineStateful(context.TextFileStream(scratch.Input).Where(l => l.Length > 3))));
        Assert.Contains("different query", error.Message, StringComparison.Ordinal);
        Assert.Contains("ForEachBatch #1", error.Message, StringComparison.Ordinal);
        Assert.Contains("Where", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_changed_query_starts_afresh_when_the_user_opts_in_to_a_reset()
    {
        using var scratch = new Scratch();
        await RunStatefulAsync(scratch, context => context.TextFileStream(scratch.Input));
        await using var second = new CheckpointHarness(
            scratch.Checkpoints,
            context => DefineStateful(context.TextFileStream(scratch.Input).Where(l => l.Length > 3)),
            options: new CheckpointOptions { ResetOnQueryChange = true });
        Assert.Null(second.Context.RecoveredBatchTime);
        Assert.Contains("discarded", Assert.Single(second.Warnings), StringComparison.Ordinal);
        Assert.Empty(scratch.CheckpointFiles());
    }

    [Fact]
    public async Task Only_the_newest_checkpoints_are_kept()
    {
        using var scratch = new Scratch();
        await using var harness = new CheckpointHarness(scratch.Checkpoints, DefineCounting(new ConcurrentQueue<string>(), scratch), options: new CheckpointOptions { RetainedCheckpoints = 2 });
        await harness.StartAsync();
        for (var n = 1; n <= 5; n++)
        {
            await harness.RunUntilAsync(Second(n));
        }

        Assert.Equal(2, scratch.CheckpointFiles().Length);
        Assert.Empty(Directory.GetFiles(scratch.Checkpoints, "*.tmp"));
    }

    [Fact]
    public async Task A_batch_that_stopped_the_context_is_replayed_with_the_same_time_and_files_and_at_most_once_outputs_skip_it()
    {
        using var scratch = new Scratch();
        var fail = new StrongBox<bool>(true);
        var atMostOnce = new ConcurrentQueue<(BatchTime, string[])>();
        var exactlyOnce = new ConcurrentQueue<(BatchTime, string[])>();
        void Define(StreamingContext context)
        {
            var lines = context.TextFileStream(scratch.Input);
            lines.ForEachBatch((batch, time) => atMostOnce.Enqueue((time, batch.ToArray())), DeliveryGuarantee.AtMostOnce);
            lines.ForEachBatch([IdempotentSink] (IReadOnlyList<string> batch, BatchTime time) =>
            {
                if (fail.Value)
                {
                    throw new InvalidOperationException("the sink is down");
                }

                exactlyOnce.Enqueue((time, batch.ToArray()));
            }, DeliveryGuarantee.ExactlyOnce);
        }

        scratch.AddFile("x", "y");
        await using (var first = new CheckpointHarness(scratch.Checkpoints, Define))
        {
            await first.StartAsync();
            var failed = await first.RunUntilAsync(Second(1));
            Assert.NotNull(failed.Failure);
            await Assert.ThrowsAsync<BatchFailedException>(() => first.Context.AwaitTerminationAsync());
        }

        // A file that arrives before the restart must not slip into the replayed batch.
        scratch.AddFile("z");
        fail.Value = false;
        await using var second = new CheckpointHarness(scratch.Checkpoints, Define);
        Assert.Null(second.Context.RecoveredBatchTime);
        await second.StartAsync();
        await second.RunUntilAsync(Second(2));
        // The at-most-once output ran batch 1 before the failure and is not handed it again.
        Assert.Equal(["1000ms:x,y", "2000ms:z"], atMostOnce.Select(b => $"{b.Item1.Milliseconds}ms:{string.Join(',', b.Item2)}"));
        Assert.Equal(["1000ms:x,y", "2000ms:z"], exactlyOnce.Select(b => $"{b.Item1.Milliseconds}ms:{string.Join(',', b.Item2)}"));
    }

    [Fact]
    public async Task A_graceful_stop_processes_and_checkpoints_what_was_received()
    {
        using var scratch = new Scratch();
        var seen = new ConcurrentQueue<string>();
        await using (var first = new CheckpointHarness(scratch.Checkpoints, DefineCounting(seen, scratch)))
        {
            await first.StartAsync();
            await first.RunUntilAsync(Second(1));
            scratch.AddFile("late");
            await first.Context.StopAsync(graceful: true);
            await first.Context.AwaitTerminationAsync();
        }

        Assert.Equal(["late"], seen.ToArray());
        await using var second = new CheckpointHarness(scratch.Checkpoints, DefineCounting(seen, scratch), clockStart: Second(2).Ticks);
        Assert.Equal(Second(2), second.Context.RecoveredBatchTime);
        await second.StartAsync();
        await second.RunUntilAsync(Second(3));
        Assert.Equal(["late"], seen.ToArray());
    }

    private static Action<StreamingContext> DefineCounting(ConcurrentQueue<string> seen, Scratch scratch) =>
        context => context.TextFileStream(scratch.Input).ForEachBatch((batch, _) =>
        {
            foreach (var line in batch)
            {
                seen.Enqueue(line);
            }
        });

    /// <summary>An unnamed count per line over <paramref name="lines"/>: its state id changes with any change below it.</summary>
    private static void DefineStateful(IDStream<string> lines) =>
        lines.Select(l => new KeyValuePair<string, int>(l, 1))
            .UpdateStateByKey((IReadOnlyList<int> ones, int? count) => (int?)((count ?? 0) + ones.Count))
            .ForEachBatch((_, _) => { });

    /// <summary>One batch of <see cref="DefineStateful"/>, leaving a checkpoint with its state.</summary>
    private static async Task RunStatefulAsync(Scratch scratch, Func<StreamingContext, IDStream<string>> lines)
    {
        await using var first = new CheckpointHarness(scratch.Checkpoints, context => DefineStateful(lines(context)));
        scratch.AddFile("a");
        await first.StartAsync();
        await first.RunUntilAsync(Second(1));
        await first.Context.StopAsync(graceful: false);
    }

    /// <summary>Two batches of one file each, leaving checkpoints after batch 1 and after batch 2.</summary>
    private static async Task RunTwoBatchesAsync(Scratch scratch)
    {
        await using var first = new CheckpointHarness(scratch.Checkpoints, DefineCounting(new ConcurrentQueue<string>(), scratch));
        scratch.AddFile("a");
        await first.StartAsync();
        await first.RunUntilAsync(Second(1));
        scratch.AddFile("b");
        await first.RunUntilAsync(Second(2));
        await first.Context.StopAsync(graceful: false);
    }
}
