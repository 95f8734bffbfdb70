using FsCheck.Xunit;
using StreamLinq.Orleans.Tests.Support;

namespace StreamLinq.Orleans.Tests.Operators;

/// <summary>
/// Per-record operators, GroupBy aggregates and per-batch scalars on a 3-silo cluster give what
/// the single-process engine gives on the same partitioned input and batch times.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterAggregationTests(ClusterFixture fixture)
{
    [Property(MaxTest = 4, Arbitrary = [typeof(Scripts)])]
    public void Where_and_Select_give_each_batch_the_same_records(Script<int> script)
    {
        var (single, cluster) = BothRuns.RunAsync(fixture, script, s => s.Where(x => x % 3 != 0).Select(x => x * 10)).GetAwaiter().GetResult();
        Assert.Equal(BothRuns.Sorted(single), BothRuns.Sorted(cluster));
    }

    [Property(MaxTest = 4, Arbitrary = [typeof(Scripts)])]
    public void A_GroupBy_aggregate_gives_each_batch_the_same_groups(Script<int> script)
    {
        var (single, cluster) = BothRuns.RunAsync(
            fixture,
            script,
            s => s.Where(x => x != 7).GroupBy(x => x % 4).Select(g => new { g.Key, Count = g.Count(), Sum = g.Sum(), Max = g.Max() })).GetAwaiter().GetResult();
        Assert.Equal(BothRuns.Sorted(single), BothRuns.Sorted(cluster));
    }

    [Property(MaxTest = 4, Arbitrary = [typeof(Scripts)])]
    public void A_per_batch_count_merges_to_the_same_count(Script<int> script)
    {
        var (single, cluster) = BothRuns.RunAsync(fixture, script, s => s.Select(x => x + 1).Where(x => x > 2).Count()).GetAwaiter().GetResult();
        Assert.Equal(single, cluster);
    }
}
