using FsCheck.Xunit;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Operators;

public class ProjectionTests
{
    [Property(MaxTest = 50)]
    public bool Select_equals_LINQ_Select_on_every_batch(int[][] batches) =>
        Oracle.Agrees(batches, s => s.Select(x => x * 3 + 1), b => b.Select(x => x * 3 + 1));

    [Property(MaxTest = 50)]
    public bool Where_equals_LINQ_Where_on_every_batch(int[][] batches) =>
        Oracle.Agrees(batches, s => s.Where(x => x % 3 != 0), b => b.Where(x => x % 3 != 0));

    [Property(MaxTest = 50)]
    public bool SelectMany_over_arrays_equals_LINQ_SelectMany(int[][] batches) =>
        Oracle.Agrees(batches, s => s.SelectMany(x => new[] { x, -x }), b => b.SelectMany(x => new[] { x, -x }));

    [Property(MaxTest = 50)]
    public bool SelectMany_over_lazy_sequences_equals_LINQ_SelectMany(int[][] batches) =>
        Oracle.Agrees(batches, s => s.SelectMany(x => Enumerable.Range(0, Math.Abs(x) % 4)), b => b.SelectMany(x => Enumerable.Range(0, Math.Abs(x) % 4)));

    [Property(MaxTest = 50)]
    public bool SelectMany_with_result_selector_equals_LINQ(int[][] batches) =>
        Oracle.Agrees(
            batches,
            s => from x in s from y in Enumerable.Range(0, Math.Abs(x) % 3) where y != 1 select x * 10 + y,
            b => from x in b from y in Enumerable.Range(0, Math.Abs(x) % 3) where y != 1 select x * 10 + y);

    [Property(MaxTest = 30)]
    public async Task<bool> The_records_handed_to_ForEachBatch_stay_as_they_were_after_later_batches(int[][] batches)
    {
        // The fused stage keeps its partitions' lists from batch to batch: what a batch handed to
        // user code, which may keep it, must not change when later batches reuse them.
        await using var harness = new StreamHarness(options: Oracle.SmallPartitions);
        var handed = new Dictionary<BatchTime, IReadOnlyList<int>>();
        harness.Queue(batches).Where(x => x % 3 != 0).Select(x => x * 2).ForEachBatch((records, time) => handed[time] = records);
        await harness.StartAsync();
        var times = new List<BatchTime>();
        foreach (var _ in batches)
        {
            times.Add((await harness.RunBatchAsync()).Time);
        }

        return times.Zip(batches).All(p => handed[p.First].SequenceEqual(p.Second.Where(x => x % 3 != 0).Select(x => x * 2)));
    }

    [Property(MaxTest = 50)]
    public bool A_long_stateless_chain_equals_LINQ(int[][] batches)
    {
        var offset = 7; // a captured variable, inlined through its closure
        return Oracle.Agrees(
            batches,
            s => s.Where(x => x > -50).Select(x => (long)x + offset).SelectMany(x => new[] { x, x * 2 }).Where(x => x % 2 == 0).Select(x => x.ToString()),
            b => b.Where(x => x > -50).Select(x => (long)x + offset).SelectMany(x => new[] { x, x * 2 }).Where(x => x % 2 == 0).Select(x => x.ToString()));
    }

    [Property(MaxTest = 50)]
    public bool A_chain_over_struct_records_reads_their_fields_and_runs_a_computed_property_only_for_records_it_keeps(int[][] batches)
    {
        // Quotient throws for a record the Where drops: the loop may read a field or an
        // auto-property of every record early, never a computed property.
        var records = (batches ?? []).Select(b => (b ?? []).Select(x => new Fraction(x, x % 4, x)).ToArray()).ToArray();
        return Oracle.Agrees(
            records,
            s => s.Where(r => r.Divisor != 0).Select(r => r.Quotient + r.Bias + r.Dividend),
            b => b.Where(r => r.Divisor != 0).Select(r => r.Quotient + r.Bias + r.Dividend));
    }

    [Fact]
    public void Explain_shows_a_stateless_chain_as_one_fused_stage()
    {
        var context = new StreamingContext(TimeSpan.FromSeconds(1));
        var plan = context.QueueStream(new System.Collections.Concurrent.ConcurrentQueue<IEnumerable<int>>())
            .Where(x => x > 0).Select(x => x * 2).SelectMany(x => new[] { x }).Explain();
        Assert.Single(plan.Split('\n'), l => l.Contains("FusedStage", StringComparison.Ordinal));
        Assert.Contains("Where(x => x > 0) -> Select(x => x * 2) -> SelectMany(x => new int[] { x })", plan, StringComparison.Ordinal);
    }

    private readonly record struct Fraction(int Dividend, int Divisor, int Salt)
    {
        public readonly int Bias = Salt % 7;

        public int Quotient => Dividend / Divisor;
    }
}
