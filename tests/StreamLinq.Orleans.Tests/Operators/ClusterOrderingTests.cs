using FsCheck.Xunit;
using StreamLinq.Orleans.Tests.Support;

namespace StreamLinq.Orleans.Tests.Operators;

/// <summary>Results that need the whole batch in one place (ordering, Take, a second shuffle) give what one process gives, in the same order.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterOrderingTests(ClusterFixture fixture)
{
    [Property(MaxTest = 4, Arbitrary = [typeof(Scripts)])]
    public void OrderBy_Take_gives_the_same_records_in_the_same_order(Script<int> script)
    {
        var (single, cluster) = BothRuns.RunAsync(
            fixture, script, s => s.Select(x => new { x, Mod = x % 7 }).OrderByDescending(r => r.Mod).ThenBy(r => r.x).Take(3)).GetAwaiter().GetResult();
        Assert.Equal(single.Select(b => b.Select(r => r.ToString()).ToList()), cluster.Select(b => b.Select(r => r.ToString()).ToList()));
    }

    [Property(MaxTest = 4, Arbitrary = [typeof(Scripts)])]
    public void A_top_k_over_a_GroupBy_aggregate_gives_the_same_groups_in_the_same_order(Script<int> script)
    {
        var (single, cluster) = BothRuns.RunAsync(
            fixture, script, s => s.GroupBy(x => x % 5).Select(g => new { g.Key, N = g.Count() }).OrderByDescending(g => g.N).ThenBy(g => g.Key).Take(2)).GetAwaiter().GetResult();
        Assert.Equal(single.Select(b => b.Select(r => r.ToString()).ToList()), cluster.Select(b => b.Select(r => r.ToString()).ToList()));
    }
}
