using FsCheck.Xunit;
using StreamLinq.Orleans.Tests.Support;

namespace StreamLinq.Orleans.Tests.Operators;

/// <summary>Joins of two streams, Distinct and Union meet equal keys on one reducer and give what one process gives.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterJoinAndSetTests(ClusterFixture fixture)
{
    [Property(MaxTest = 4, Arbitrary = [typeof(Scripts)])]
    public void A_join_of_two_partitioned_streams_gives_the_same_pairs(Script<int> l, Script<int> r)
    {
        var batches = Math.Max(l.Batches.Length, r.Batches.Length);
        var (single, cluster) = BothRuns.RunAsync(
            fixture,
            context => context.AddInput(new ScriptedSource<int>("Left", l))
                .Join(context.AddInput(new ScriptedSource<int>("Right", r)), a => a % 5, b => b % 5, (a, b) => new { a, b }),
            batches).GetAwaiter().GetResult();
        Assert.Equal(BothRuns.Sorted(single), BothRuns.Sorted(cluster));
    }

    [Property(MaxTest = 4, Arbitrary = [typeof(Scripts)])]
    public void Distinct_keeps_each_record_once_per_batch(Script<int> script)
    {
        var (single, cluster) = BothRuns.RunAsync(fixture, script, s => s.Select(x => new { Mod = x % 4, Even = x % 2 == 0 }).Distinct()).GetAwaiter().GetResult();
        Assert.Equal(BothRuns.Sorted(single), BothRuns.Sorted(cluster));
        Assert.All(cluster, batch => Assert.Equal(batch.Count, batch.Distinct().Count()));
    }

    [Property(MaxTest = 3, Arbitrary = [typeof(Scripts)])]
    public void Union_of_two_streams_gives_the_same_set(Script<int> l, Script<int> r)
    {
        var (single, cluster) = BothRuns.RunAsync(
            fixture,
            context => context.AddInput(new ScriptedSource<int>("Left", l)).Union(context.AddInput(new ScriptedSource<int>("Right", r))),
            Math.Max(l.Batches.Length, r.Batches.Length)).GetAwaiter().GetResult();
        Assert.Equal(BothRuns.Sorted(single), BothRuns.Sorted(cluster));
    }
}
