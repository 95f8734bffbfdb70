using System.Collections.Concurrent;
using StreamLinq.Tests.Checkpointing;

namespace StreamLinq.Tests.State;

/// <summary>
/// A state or key record changes between two runs of a job: a gained field (with a default), a lost
/// one and a widened number read the old checkpoint, every value what it was (the widened
/// exactly, a gained field at its default); a narrowing, a renamed type or a field that cannot
/// start at a default are refused naming the operator, the type and the field. The record's
/// versions are nested in <c>V1</c>, <c>V2</c>... to live in one assembly: a schema names a type
/// without its namespace or enclosing types, so they count as one type.
/// </summary>
public class StateSchemaEvolutionTests
{
    private static readonly string[][] Before = [["a", "bb", "a"], ["ccc", "a"]];
    private static readonly string[][] After = [["a", "bb"], ["dddd"]];

    [Fact]
    public async Task A_state_record_that_gains_a_field_with_a_default_resumes_with_the_default()
    {
        using var scratch = new Scratch();
        await RunAsync(scratch, lines => Pairs(lines).UpdateStateByKey((IReadOnlyList<int> ones, V1.Tally? t) => new V1.Tally((t == null ? 0 : t.Count) + ones.Count)).Named("tallies").ForEachBatch((_, _) => { }), 0, Before);

        var seen = new ConcurrentDictionary<BatchTime, Dictionary<string, V2.Tally>>();
        await RunAsync(scratch, lines => Pairs(lines)
            .UpdateStateByKey((IReadOnlyList<int> ones, V2.Tally? t) => t == null ? new V2.Tally(ones.Count, "new") : new V2.Tally(t.Count + ones.Count, t.Label))
            .Named("tallies")
            .ForEachBatch((batch, time) => seen[time] = batch.ToDictionary()), Before.Length, After);

        var last = seen[Second(Before.Length + After.Length)];
        Assert.Equal(Counts(Before.Concat(After)), last.ToDictionary(p => p.Key, p => p.Value.Count));

        // Keys from the checkpoint took the declared default; the key first seen after the upgrade, its own.
        Assert.All(Before.SelectMany(b => b).Distinct(), word => Assert.Equal("old", last[word].Label));
        Assert.Equal("new", last["dddd"].Label);
    }

    [Fact]
    public async Task A_state_record_that_gains_a_field_with_an_initializer_resumes_with_its_value()
    {
        using var scratch = new Scratch();
        await RunAsync(scratch, lines => Pairs(lines).UpdateStateByKey((IReadOnlyList<int> ones, V1.Tally? t) => new V1.Tally((t == null ? 0 : t.Count) + ones.Count)).Named("tallies").ForEachBatch((_, _) => { }), 0, Before);

        var seen = new ConcurrentDictionary<BatchTime, Dictionary<string, V3.Tally>>();
        await RunAsync(scratch, lines => Pairs(lines)
            .UpdateStateByKey((IReadOnlyList<int> ones, V3.Tally? t) => new V3.Tally((t == null ? 0 : t.Count) + ones.Count) { Weight = t == null ? 1.0 : t.Weight, Notes = t == null ? new List<string>() : t.Notes })
            .Named("tallies")
            .ForEachBatch((batch, time) => seen[time] = batch.ToDictionary()), Before.Length, After);

        var last = seen[Second(Before.Length + After.Length)];
        Assert.Equal(Counts(Before.Concat(After)), last.ToDictionary(p => p.Key, p => p.Value.Count));
        Assert.Equal(0.5, last["a"].Weight);
        Assert.Equal(1.0, last["dddd"].Weight);

        // A mutable initializer's value is built for each state read, never shared between keys.
        Assert.NotSame(last["a"].Notes, last["ccc"].Notes);
    }

    [Fact]
    public async Task A_state_record_that_loses_a_field_and_widens_others_reads_every_old_value_exactly()
    {
        using var scratch = new Scratch();
        await RunAsync(scratch, lines => Pairs(lines)
            .UpdateStateByKey((IReadOnlyList<int> ones, V4.Reading? r) => new V4.Reading((r == null ? 0 : r.Count) + ones.Count, (r == null ? 0f : r.Sum) + (0.1f * ones.Count), "dropped"))
            .Named("readings")
            .ForEachBatch((_, _) => { }), 0, Before);

        var seen = new ConcurrentDictionary<BatchTime, Dictionary<string, V5.Reading>>();
        await RunAsync(scratch, lines => Pairs(lines)
            .UpdateStateByKey((IReadOnlyList<int> ones, V5.Reading? r) => new V5.Reading((r == null ? 0 : r.Count) + ones.Count, (r == null ? 0d : r.Sum) + (0.1d * ones.Count)))
            .Named("readings")
            .ForEachBatch((batch, time) => seen[time] = batch.ToDictionary()), Before.Length, After);

        // The oracle: the old query's float sums, widened, then the new query's double additions.
        foreach (var (word, reading) in seen[Second(Before.Length + After.Length)])
        {
            var floatSum = 0f;
            foreach (var batch in Before)
            {
                floatSum += 0.1f * batch.Count(w => w == word);
            }

            var sum = (double)floatSum;
            foreach (var batch in After)
            {
                sum += 0.1d * batch.Count(w => w == word);
            }

            Assert.Equal(Before.Concat(After).SelectMany(b => b).Count(w => w == word), reading.Count);
            Assert.Equal(sum, reading.Sum);
        }
    }

    [Fact]
    public async Task A_key_record_that_gains_a_field_with_a_default_finds_its_keys_again()
    {
        using var scratch = new Scratch();
        await RunAsync(scratch, lines => lines.Select(w => new KeyValuePair<V1.Word, int>(new V1.Word(w), 1))
            .UpdateStateByKey((IReadOnlyList<int> ones, int? count) => (int?)((count ?? 0) + ones.Count))
            .Named("words")
            .ForEachBatch((_, _) => { }), 0, Before);

        var seen = new ConcurrentDictionary<BatchTime, Dictionary<V2.Word, int>>();
        await RunAsync(scratch, lines => lines.Select(w => new KeyValuePair<V2.Word, int>(new V2.Word(w), 1))
            .UpdateStateByKey((IReadOnlyList<int> ones, int? count) => (int?)((count ?? 0) + ones.Count))
            .Named("words")
            .ForEachBatch((batch, time) => seen[time] = batch.ToDictionary()), Before.Length, After);

        Assert.Equal(Counts(Before.Concat(After)), seen[Second(Before.Length + After.Length)].ToDictionary(p => p.Key.Text, p => (long)p.Value));
    }

    [Fact]
    public async Task A_narrowed_field_is_refused_naming_the_operator_the_type_and_the_field()
    {
        using var scratch = new Scratch();
        await RunAsync(scratch, lines => Pairs(lines).UpdateStateByKey((IReadOnlyList<int> ones, V1.Tally? t) => new V1.Tally((t == null ? 0 : t.Count) + ones.Count)).Named("tallies").ForEachBatch((_, _) => { }), 0, Before);

        var refusal = Refusal(scratch, lines => Pairs(lines).UpdateStateByKey((IReadOnlyList<int> ones, V6.Tally? t) => new V6.Tally((t == null ? 0 : t.Count) + ones.Count)).Named("tallies").ForEachBatch((_, _) => { }));
        Assert.Contains("\"tallies\": state field Tally.Count narrowed from long to int", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_renamed_state_type_is_refused_naming_both_names()
    {
        using var scratch = new Scratch();
        await RunAsync(scratch, lines => Pairs(lines).UpdateStateByKey((IReadOnlyList<int> ones, V1.Tally? t) => new V1.Tally((t == null ? 0 : t.Count) + ones.Count)).Named("tallies").ForEachBatch((_, _) => { }), 0, Before);

        var refusal = Refusal(scratch, lines => Pairs(lines).UpdateStateByKey((IReadOnlyList<int> ones, V2.Score? t) => new V2.Score((t == null ? 0 : t.Count) + ones.Count)).Named("tallies").ForEachBatch((_, _) => { }));
        Assert.Contains("\"tallies\": state type Tally is now Score: a renamed type is refused", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_gained_field_that_cannot_start_at_a_default_is_refused_naming_it()
    {
        using var scratch = new Scratch();
        await RunAsync(scratch, lines => Pairs(lines).UpdateStateByKey((IReadOnlyList<int> ones, V1.Tally? t) => new V1.Tally((t == null ? 0 : t.Count) + ones.Count)).Named("tallies").ForEachBatch((_, _) => { }), 0, Before);

        var refusal = Refusal(scratch, lines => Pairs(lines).UpdateStateByKey((IReadOnlyList<int> ones, V7.Tally? t) => new V7.Tally((t == null ? 0 : t.Count) + ones.Count, "x")).Named("tallies").ForEachBatch((_, _) => { }));
        Assert.Contains("\"tallies\": state field Tally.Label was added without a default", refusal, StringComparison.Ordinal);
    }

    private static BatchTime Second(int n) => CheckpointHarness.Second(n);

    private static IDStream<KeyValuePair<string, int>> Pairs(IDStream<string> lines) => lines.Select(w => new KeyValuePair<string, int>(w, 1));

    private static Dictionary<string, long> Counts(IEnumerable<string[]> batches) =>
        batches.SelectMany(b => b).GroupBy(w => w).ToDictionary(g => g.Key, g => (long)g.Count());

    private static string Refusal(Scratch scratch, Action<IDStream<string>> define) =>
        Assert.Throws<InvalidOperationException>(() => new CheckpointHarness(scratch.Checkpoints, context => define(context.TextFileStream(scratch.Input)), clockStart: Second(Before.Length).Ticks)).Message;

    private static async Task RunAsync(Scratch scratch, Action<IDStream<string>> define, int from, string[][] batches)
    {
        await using var life = new CheckpointHarness(scratch.Checkpoints, context => define(context.TextFileStream(scratch.Input)), clockStart: Second(from).Ticks);
        await life.StartAsync();
        for (var i = 0; i < batches.Length; i++)
        {
            scratch.AddFile(batches[i]);
            await life.RunUntilAsync(Second(from + i + 1));
        }

        await life.Context.StopAsync(graceful: false);
        Assert.DoesNotContain(life.Warnings, w => w.Contains("starts empty", StringComparison.Ordinal));
    }

    private static class V1
    {
        public sealed record Tally(long Count);

        public sealed record Word(string Text);
    }

    private static class V2
    {
        public sealed record Tally(long Count, string Label = "old");

        public sealed record Word(string Text, int Language = 0);

        public sealed record Score(long Count);
    }

    private static class V3
    {
        public sealed record Tally(long Count)
        {
            public double Weight { get; init; } = 0.5;

            public List<string> Notes { get; init; } = [];
        }
    }

    private static class V4
    {
        public sealed record Reading(int Count, float Sum, string Note);
    }

    private static class V5
    {
        public sealed record Reading(long Count, double Sum);
    }

    private static class V6
    {
        public sealed record Tally(int Count);
    }

    private static class V7
    {
        public sealed record Tally(long Count, string Label);
    }
}
