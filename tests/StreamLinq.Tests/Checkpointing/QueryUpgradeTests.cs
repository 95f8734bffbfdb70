using System.Collections.Concurrent;

namespace StreamLinq.Tests.Checkpointing;

/// <summary>
/// A job runs, stops, its query changes and it resumes from its checkpoint: a compatible change
/// gives the outputs of the new query run with the old state (the oracle: the old query's pairs
/// over the records before the upgrade, the new query's over the records after it, counted by
/// LINQ to Objects); an incompatible one is refused with a line per operator and why.
/// </summary>
public class QueryUpgradeTests
{
    private static readonly string[][] Before = [["a", "b", "skip", "x"], ["a", "xyz", "b"]];
    private static readonly string[][] After = [["a", "x", "skip", "b"], ["xyz", "c", "a"]];

    private static BatchTime Second(int n) => CheckpointHarness.Second(n);

    private static KeyValuePair<string, int> One(string word) => new(word, 1);

    [Fact]
    public Task A_changed_predicate_before_a_named_operator_keeps_its_state() =>
        AssertResumesWithOldState(
            lines => lines.Where(w => w != "skip").Select(w => new KeyValuePair<string, int>(w, 1)),
            lines => lines.Where(w => w != "skip").Select(One),
            lines => lines.Where(w => w != "x").Select(w => new KeyValuePair<string, int>(w, 1)),
            lines => lines.Where(w => w != "x").Select(One));

    [Fact]
    public Task A_changed_projection_before_a_named_operator_keeps_its_state() =>
        AssertResumesWithOldState(
            lines => lines.Where(w => w != "skip").Select(w => new KeyValuePair<string, int>(w, 1)),
            lines => lines.Where(w => w != "skip").Select(One),
            lines => lines.Where(w => w != "skip").Select(w => new KeyValuePair<string, int>(w.Length > 2 ? "long" : w, 1)),
            lines => lines.Where(w => w != "skip").Select(w => One(w.Length > 2 ? "long" : w)));

    [Fact]
    public Task An_added_stateless_operator_keeps_the_state_of_the_named_operator_after_it() =>
        AssertResumesWithOldState(
            lines => lines.Where(w => w != "skip").Select(w => new KeyValuePair<string, int>(w, 1)),
            lines => lines.Where(w => w != "skip").Select(One),
            lines => lines.Where(w => w != "skip").Where(w => w.Length < 3).Select(w => new KeyValuePair<string, int>(w, 1)),
            lines => lines.Where(w => w != "skip").Where(w => w.Length < 3).Select(One));

    [Fact]
    public Task A_removed_stateless_operator_keeps_the_state_of_the_named_operator_after_it() =>
        AssertResumesWithOldState(
            lines => lines.Where(w => w != "skip").Select(w => new KeyValuePair<string, int>(w, 1)),
            lines => lines.Where(w => w != "skip").Select(One),
            lines => lines.Select(w => new KeyValuePair<string, int>(w, 1)),
            lines => lines.Select(One));

    [Fact]
    public async Task An_added_output_starts_at_the_next_batch_with_the_state_so_far()
    {
        using var scratch = new Scratch();
        var counts = new ConcurrentDictionary<BatchTime, Dictionary<string, int>>();
        var added = new ConcurrentDictionary<BatchTime, Dictionary<string, int>>();
        IDStream<KeyValuePair<string, int>> Counts(StreamingContext context) =>
            context.TextFileStream(scratch.Input)
                .Select(w => new KeyValuePair<string, int>(w, 1))
                .UpdateStateByKey((IReadOnlyList<int> ones, int? count) => (int?)((count ?? 0) + ones.Count))
                .Named("counts");

        await RunAsync(scratch, context => Counts(context).ForEachBatch((batch, time) => counts[time] = batch.ToDictionary()), 0, Before);
        var upgraded = await RunAsync(scratch, context =>
        {
            var stream = Counts(context);
            stream.Where(p => p.Value > 1).ForEachBatch((batch, time) => added[time] = batch.ToDictionary());
            stream.ForEachBatch((batch, time) => counts[time] = batch.ToDictionary());
        }, Before.Length, After);

        Assert.Equal([Second(3), Second(4)], added.Keys.Order());
        for (var batch = 1; batch <= After.Length; batch++)
        {
            var expected = Count(Before.Concat(After.Take(batch)).SelectMany(b => b).Select(One));
            Assert.Equal(expected, counts[Second(Before.Length + batch)]);
            Assert.Equal(expected.Where(p => p.Value > 1).ToDictionary(), added[Second(Before.Length + batch)]);
        }

        Assert.Contains(upgraded, w => w.Contains("new: it starts at the first batch", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_removed_output_and_a_changed_sink_keep_the_state()
    {
        using var scratch = new Scratch();
        var counts = new ConcurrentDictionary<BatchTime, Dictionary<string, int>>();
        var sink = new CollectingSink();
        IDStream<KeyValuePair<string, int>> Counts(IDStream<string> lines) =>
            lines
                .Select(w => new KeyValuePair<string, int>(w, 1))
                .UpdateStateByKey((IReadOnlyList<int> ones, int? count) => (int?)((count ?? 0) + ones.Count))
                .Named("counts");

        await RunAsync(scratch, context =>
        {
            var lines = context.TextFileStream(scratch.Input);
            lines.ForEachBatch((_, _) => { });
            Counts(lines).ForEachBatch((batch, time) => counts[time] = batch.ToDictionary());
        }, 0, Before);
        await RunAsync(scratch, context => Counts(context.TextFileStream(scratch.Input)).WriteTo(sink), Before.Length, After);

        for (var batch = 1; batch <= After.Length; batch++)
        {
            Assert.Equal(Count(Before.Concat(After.Take(batch)).SelectMany(b => b).Select(One)), sink.Batches[Second(Before.Length + batch)].ToDictionary());
        }
    }

    [Fact]
    public async Task Naming_an_operator_that_ran_unnamed_keeps_its_state()
    {
        using var scratch = new Scratch();
        var counts = new ConcurrentDictionary<BatchTime, Dictionary<string, int>>();
        IDStream<KeyValuePair<string, int>> Counts(StreamingContext context) =>
            context.TextFileStream(scratch.Input)
                .Select(w => new KeyValuePair<string, int>(w, 1))
                .UpdateStateByKey((IReadOnlyList<int> ones, int? count) => (int?)((count ?? 0) + ones.Count));

        await RunAsync(scratch, context => Counts(context).ForEachBatch((batch, time) => counts[time] = batch.ToDictionary()), 0, Before);
        await RunAsync(scratch, context => Counts(context).Named("counts").ForEachBatch((batch, time) => counts[time] = batch.ToDictionary()), Before.Length, After);

        Assert.Equal(Count(Before.Concat(After).SelectMany(b => b).Select(One)), counts[Second(Before.Length + After.Length)]);
    }

    [Fact]
    public async Task A_changed_window_slide_keeps_the_batches_the_window_holds()
    {
        using var scratch = new Scratch();
        var counts = new ConcurrentDictionary<BatchTime, long>();
        string[][] before = [["a"], ["b", "c"], ["d"], ["e", "f", "g"]];
        string[][] after = [["h"], ["i", "j"], [], ["k"]];
        void Define(StreamingContext context, TimeSpan slide) =>
            context.TextFileStream(scratch.Input)
                .Window(TimeSpan.FromSeconds(4), slide)
                .Count()
                .Named("window")
                .ForEachBatch((batch, time) => counts[time] = batch.Single());

        await RunAsync(scratch, context => Define(context, TimeSpan.FromSeconds(1)), 0, before);
        await RunAsync(scratch, context => Define(context, TimeSpan.FromSeconds(2)), before.Length, after);

        // Brute force: the records of the batches in (T - 4 s, T] at every slide of the new query.
        var all = before.Concat(after).ToArray();
        foreach (var second in new[] { 6, 8 })
        {
            Assert.Equal(all.Skip(second - 4).Take(4).Sum(b => b.Length), counts[Second(second)]);
        }

        Assert.False(counts.ContainsKey(Second(5)));
        Assert.False(counts.ContainsKey(Second(7)));
    }

    [Fact]
    public async Task A_changed_key_type_is_refused_naming_the_operator_and_both_types()
    {
        using var scratch = new Scratch();
        await RunAsync(scratch, context => context.TextFileStream(scratch.Input)
            .Select(w => new KeyValuePair<string, int>(w, 1))
            .UpdateStateByKey((IReadOnlyList<int> ones, int? count) => (int?)((count ?? 0) + ones.Count))
            .Named("counts")
            .ForEachBatch((_, _) => { }), 0, Before);

        var refusal = Assert.Throws<InvalidOperationException>(() => new CheckpointHarness(scratch.Checkpoints, context => context.TextFileStream(scratch.Input)
            .Select(w => new KeyValuePair<Guid, int>(Guid.Empty, w.Length))
            .UpdateStateByKey((IReadOnlyList<int> ones, int? count) => (int?)((count ?? 0) + ones.Count))
            .Named("counts")
            .ForEachBatch((_, _) => { }), clockStart: Second(Before.Length).Ticks));
        Assert.Contains("\"counts\": key type changed from string to Guid", refusal.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(CheckpointOptions.DropStateOf), refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_incompatible_operator_is_listed_with_its_reason()
    {
        using var scratch = new Scratch();
        await RunAsync(scratch, context =>
        {
            var lines = context.TextFileStream(scratch.Input);
            lines.Window(TimeSpan.FromSeconds(2)).Count().Named("window").ForEachBatch((_, _) => { });
            lines.Select(w => new KeyValuePair<string, int>(w, 1))
                .UpdateStateByKey((IReadOnlyList<int> ones, int? count) => (int?)((count ?? 0) + ones.Count))
                .Named("counts")
                .ForEachBatch((_, _) => { });
            lines.Where(w => w != "skip").Select(w => new KeyValuePair<string, int>(w, 1))
                .UpdateStateByKey((IReadOnlyList<int> ones, long? count) => (long?)((count ?? 0) + ones.Count))
                .ForEachBatch((_, _) => { });
        }, 0, Before);

        var refusal = Assert.Throws<InvalidOperationException>(() => new CheckpointHarness(scratch.Checkpoints, context =>
        {
            var lines = context.TextFileStream(scratch.Input);
            lines.Window(TimeSpan.FromSeconds(4)).Count().Named("window").ForEachBatch((_, _) => { });
            lines.Select(w => new KeyValuePair<string, string>(w, w))
                .UpdateStateByKey((IReadOnlyList<string> words, string? last) => words.LastOrDefault() ?? last)
                .Named("counts")
                .ForEachBatch((_, _) => { });
            lines.Where(w => w != "x").Select(w => new KeyValuePair<string, int>(w, 1))
                .UpdateStateByKey((IReadOnlyList<int> ones, long? count) => (long?)((count ?? 0) + ones.Count))
                .ForEachBatch((_, _) => { });
        }, clockStart: Second(Before.Length).Ticks));

        Assert.Contains("\"window\": the window grew from 00:00:02 to 00:00:04", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("\"counts\": state type changed from int? to string", refusal.Message, StringComparison.Ordinal);
        Assert.Matches("\"UpdateStateByKey#[0-9a-f]{12}\": no operator of the query has this identity now", refusal.Message);
        Assert.Contains(".Named(", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dropping_a_named_operators_state_resumes_every_other_operator()
    {
        using var scratch = new Scratch();
        var counts = new ConcurrentDictionary<BatchTime, Dictionary<string, int>>();
        var lengths = new ConcurrentDictionary<BatchTime, Dictionary<int, int>>();
        IDStream<KeyValuePair<int, int>> Lengths(IDStream<string> lines) =>
            lines.Select(w => new KeyValuePair<int, int>(w.Length, 1))
                .UpdateStateByKey((IReadOnlyList<int> ones, int? count) => (int?)((count ?? 0) + ones.Count))
                .Named("lengths");

        await RunAsync(scratch, context =>
        {
            var lines = context.TextFileStream(scratch.Input);
            Lengths(lines).ForEachBatch((batch, time) => lengths[time] = batch.ToDictionary());
            lines.Select(w => new KeyValuePair<string, long>(w, 1))
                .UpdateStateByKey((IReadOnlyList<long> ones, long? count) => (long?)((count ?? 0) + ones.Count))
                .Named("counts")
                .ForEachBatch((_, _) => { });
        }, 0, Before);

        var upgraded = await RunAsync(scratch, context =>
        {
            var lines = context.TextFileStream(scratch.Input);
            Lengths(lines).ForEachBatch((batch, time) => lengths[time] = batch.ToDictionary());
            lines.Select(w => new KeyValuePair<string, int>(w, 1))
                .UpdateStateByKey((IReadOnlyList<int> ones, int? count) => (int?)((count ?? 0) + ones.Count))
                .Named("counts")
                .ForEachBatch((batch, time) => counts[time] = batch.ToDictionary());
        }, Before.Length, After, new CheckpointOptions().DropStateOf("counts"));

        var last = Second(Before.Length + After.Length);
        Assert.Equal(Count(After.SelectMany(b => b).Select(One)), counts[last]);
        Assert.Equal(
            Before.Concat(After).SelectMany(b => b).GroupBy(w => w.Length).ToDictionary(g => g.Key, g => g.Count()),
            lengths[last]);
        Assert.Contains(upgraded, w => w.Contains("\"counts\" is dropped", StringComparison.Ordinal));
    }

    /// <summary>Runs v1, then v2 from v1's checkpoint; asserts v2's counts are v1's pairs before the upgrade and v2's after it.</summary>
    private static async Task AssertResumesWithOldState(
        Func<IDStream<string>, IDStream<KeyValuePair<string, int>>> before,
        Func<IEnumerable<string>, IEnumerable<KeyValuePair<string, int>>> beforeOracle,
        Func<IDStream<string>, IDStream<KeyValuePair<string, int>>> after,
        Func<IEnumerable<string>, IEnumerable<KeyValuePair<string, int>>> afterOracle)
    {
        using var scratch = new Scratch();
        var counts = new ConcurrentDictionary<BatchTime, Dictionary<string, int>>();
        void Define(StreamingContext context, Func<IDStream<string>, IDStream<KeyValuePair<string, int>>> pairs) =>
            pairs(context.TextFileStream(scratch.Input))
                .UpdateStateByKey((IReadOnlyList<int> ones, int? count) => (int?)((count ?? 0) + ones.Sum()))
                .Named("counts")
                .ForEachBatch((batch, time) => counts[time] = batch.ToDictionary());

        await RunAsync(scratch, context => Define(context, before), 0, Before);
        var warnings = await RunAsync(scratch, context => Define(context, after), Before.Length, After);

        var old = beforeOracle(Before.SelectMany(b => b)).ToList();
        for (var batch = 1; batch <= After.Length; batch++)
        {
            Assert.Equal(Count(old.Concat(afterOracle(After.Take(batch).SelectMany(b => b)))), counts[Second(Before.Length + batch)]);
        }

        Assert.DoesNotContain(warnings, w => w.Contains("starts empty", StringComparison.Ordinal));
    }

    /// <summary>One life of the job: a batch per entry of <paramref name="batches"/> after second <paramref name="from"/>; returns its checkpoint warnings.</summary>
    private static async Task<string[]> RunAsync(Scratch scratch, Action<StreamingContext> define, int from, string[][] batches, CheckpointOptions? options = null)
    {
        await using var life = new CheckpointHarness(scratch.Checkpoints, define, clockStart: Second(from).Ticks, options);
        await life.StartAsync();
        for (var i = 0; i < batches.Length; i++)
        {
            if (batches[i].Length > 0)
            {
                scratch.AddFile(batches[i]);
            }

            await life.RunUntilAsync(Second(from + i + 1));
        }

        await life.Context.StopAsync(graceful: false);
        return [.. life.Warnings];
    }

    private static Dictionary<string, int> Count(IEnumerable<KeyValuePair<string, int>> pairs) =>
        pairs.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Sum(p => p.Value));

    private sealed class CollectingSink : IBatchSink<KeyValuePair<string, int>>
    {
        public ConcurrentDictionary<BatchTime, KeyValuePair<string, int>[]> Batches { get; } = new();

        public Task WriteBatchAsync(IReadOnlyList<KeyValuePair<string, int>> batch, BatchTime time, CancellationToken cancellationToken)
        {
            Batches[time] = [.. batch];
            return Task.CompletedTask;
        }
    }
}
