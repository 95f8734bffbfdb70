using FsCheck.Xunit;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Operators;

public class GroupingTests
{
    [Property(MaxTest = 50)]
    public bool GroupBy_with_count_and_sum_equals_LINQ(int[][] batches) =>
        Oracle.Agrees(
            batches,
            s => s.GroupBy(x => x % 5).Select(g => new { g.Key, N = g.Count(), L = g.LongCount(), S = g.Sum(x => (long)x), Big = g.Count(x => x > 2) }),
            b => b.GroupBy(x => x % 5).Select(g => new { g.Key, N = g.Count(), L = g.LongCount(), S = g.Sum(x => (long)x), Big = g.Count(x => x > 2) }));

    [Property(MaxTest = 50)]
    public bool GroupBy_with_min_max_average_over_every_numeric_type_equals_LINQ(int[][] batches) =>
        Oracle.Agrees(
            batches,
            s => s.GroupBy(x => Math.Abs(x) % 4).Select(g => new
            {
                g.Key,
                MinI = g.Min(x => x),
                MaxL = g.Max(x => (long)x),
                AvgI = g.Average(x => x),
                AvgL = g.Average(x => (long)x),
                SumD = g.Sum(x => (decimal)x / 4),
                AvgM = g.Average(x => (decimal)x),
                MinM = g.Min(x => (decimal)x),
                MaxD = g.Max(x => (double)x / 8),
                SumF = g.Sum(x => (float)x),
            }),
            b => b.GroupBy(x => Math.Abs(x) % 4).Select(g => new
            {
                g.Key,
                MinI = g.Min(x => x),
                MaxL = g.Max(x => (long)x),
                AvgI = g.Average(x => x),
                AvgL = g.Average(x => (long)x),
                SumD = g.Sum(x => (decimal)x / 4),
                AvgM = g.Average(x => (decimal)x),
                MinM = g.Min(x => (decimal)x),
                MaxD = g.Max(x => (double)x / 8),
                SumF = g.Sum(x => (float)x),
            }));

    [Property(MaxTest = 50)]
    public bool Min_and_max_of_doubles_follow_LINQ_for_NaN(int[][] batches) =>
        Oracle.Agrees(
            batches,
            s => s.GroupBy(x => x % 2).Select(g => new { g.Key, Min = g.Min(x => x % 3 == 0 ? double.NaN : x), Max = g.Max(x => x % 3 == 0 ? double.NaN : x) }),
            b => b.GroupBy(x => x % 2).Select(g => new { g.Key, Min = g.Min(x => x % 3 == 0 ? double.NaN : x), Max = g.Max(x => x % 3 == 0 ? double.NaN : x) }));

    [Property(MaxTest = 50)]
    public bool GroupBy_with_element_selector_and_query_syntax_equals_LINQ(int[][] batches) =>
        Oracle.Agrees(
            batches,
            s => from x in s group x * 2 by x % 3 into g select new { g.Key, S = g.Sum(), M = g.Max() },
            b => from x in b group x * 2 by x % 3 into g select new { g.Key, S = g.Sum(), M = g.Max() });

    [Property(MaxTest = 50)]
    public bool GroupBy_with_result_selector_equals_LINQ(int[][] batches) =>
        Oracle.Agrees(
            batches,
            s => s.GroupBy(x => x % 4, (k, xs) => k * 1000 + xs.Count()),
            b => b.GroupBy(x => x % 4, (k, xs) => k * 1000 + xs.Count()));

    [Property(MaxTest = 50)]
    public bool GroupBy_with_element_and_result_selectors_equals_LINQ(int[][] batches) =>
        Oracle.Agrees(
            batches,
            s => s.GroupBy(x => x % 4, x => (long)x, (k, xs) => k + xs.Sum()),
            b => b.GroupBy(x => x % 4, x => (long)x, (k, xs) => k + xs.Sum()));

    [Property(MaxTest = 50)]
    public bool GroupBy_over_a_fused_chain_with_null_keys_equals_LINQ(int[][] batches) =>
        Oracle.Agrees(
            batches,
            s => s.Where(x => x != 3).Select(x => x % 3 == 0 ? null : (x % 4).ToString()).GroupBy(k => k).Select(g => new { g.Key, N = g.Count() }),
            b => b.Where(x => x != 3).Select(x => x % 3 == 0 ? null : (x % 4).ToString()).GroupBy(k => k).Select(g => new { g.Key, N = g.Count() }));

    [Property(MaxTest = 50)]
    public bool Groups_used_beyond_aggregates_are_materialised_and_equal_LINQ(int[][] batches) =>
        Oracle.Agrees(
            batches,
            s => s.GroupBy(x => x % 3).Select(g => g.Key + ":" + string.Join(",", g.OrderBy(x => x))),
            b => b.GroupBy(x => x % 3).Select(g => g.Key + ":" + string.Join(",", g.OrderBy(x => x))));

    [Property(MaxTest = 50)]
    public bool CountByValue_equals_LINQ_GroupBy_count(int[][] batches) =>
        Oracle.Agrees(
            batches,
            s => s.CountByValue(),
            b => b.GroupBy(x => x).Select(g => new KeyValuePair<int, long>(g.Key, g.LongCount())));

    [Property(MaxTest = 50)]
    public bool Distinct_equals_LINQ_Distinct(int[][] batches) =>
        Oracle.Agrees(batches, s => s.Distinct(), b => b.Distinct());

    [Fact]
    public async Task Sum_overflow_in_a_group_fails_the_batch_as_LINQ_would_throw()
    {
        await using var harness = new StreamHarness(options: new StreamingOptions { StopOnBatchFailure = false });
        var sums = harness.Queue(new[] { new[] { int.MaxValue, 1 } }).GroupBy(x => 0).Select(g => g.Sum(x => x));
        StreamHarness.Collect(sums);
        await harness.StartAsync();
        var batch = await harness.RunBatchAsync();
        var failure = Assert.IsType<BatchFailedException>(batch.Failure);
        Assert.IsType<OverflowException>(failure.InnerException);
    }

    [Fact]
    public void Explain_shows_where_select_groupby_count_as_one_hash_aggregation_over_a_fused_chain()
    {
        var context = new StreamingContext(TimeSpan.FromSeconds(1));
        var plan = context.QueueStream(new System.Collections.Concurrent.ConcurrentQueue<IEnumerable<string>>())
            .Where(w => w.Length > 2)
            .Select(w => w.ToUpperInvariant())
            .GroupBy(w => w)
            .Select(g => new { Word = g.Key, Count = g.Count() })
            .Explain();
        var lines = plan.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("└─ GroupAggregate: key: w => w; aggregates: Count", lines[0], StringComparison.Ordinal);
        Assert.Contains("⇒ HashAggregate", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("   ═ shuffle: hash by w => w", lines[1], StringComparison.Ordinal);
        Assert.Equal("   └─ Map: Where(w => w.Length > 2) -> Select(w => w.ToUpperInvariant()) ⇒ FusedStage (in the same compiled loop as the operator above)", lines[2]);
        Assert.Contains("Source: QueueStream#0", lines[3], StringComparison.Ordinal);
        Assert.Single(lines, l => l.Contains("FusedStage", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("HashAggregate", StringComparison.Ordinal));
    }
}
