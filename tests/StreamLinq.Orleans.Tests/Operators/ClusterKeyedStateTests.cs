using FsCheck.Xunit;
using StreamLinq.Orleans.Tests.Support;

namespace StreamLinq.Orleans.Tests.Operators;

/// <summary>
/// Keyed state across batches (UpdateStateByKey, MapWithState and its snapshots), held by the
/// reducers for their key ranges, gives what one process gives.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterKeyedStateTests(ClusterFixture fixture)
{
    [Property(MaxTest = 4, Arbitrary = [typeof(Scripts)])]
    public void UpdateStateByKey_keeps_the_same_running_state_per_key(Script<int> script)
    {
        var (single, cluster) = BothRuns.RunAsync(
            fixture,
            script,
            s => s.Select(x => new KeyValuePair<int, int>(x % 4, x)).UpdateStateByKey<int, int, long>((values, state) => state + values.Sum() + 1)).GetAwaiter().GetResult();
        Assert.Equal(BothRuns.Sorted(single), BothRuns.Sorted(cluster));
    }

    [Property(MaxTest = 4, Arbitrary = [typeof(Scripts)])]
    public void MapWithState_maps_each_record_with_the_same_state_and_snapshots(Script<int> script)
    {
        var spec = StateSpec.Function((int key, int value, KeyedState<long> state) =>
        {
            var sum = state.GetOrDefault(0) + value;
            state.Update(sum);
            return $"{key}:{sum}";
        });
        var (single, cluster) = BothRuns.RunAsync(fixture, script, s => s.Select(x => new KeyValuePair<int, int>(x % 3, x)).MapWithState(spec)).GetAwaiter().GetResult();
        Assert.Equal(BothRuns.Sorted(single), BothRuns.Sorted(cluster));

        var (singleSnapshots, clusterSnapshots) = BothRuns.RunAsync(fixture, script, s => s.Select(x => new KeyValuePair<int, int>(x % 3, x)).MapWithState(spec).StateSnapshots()).GetAwaiter().GetResult();
        Assert.Equal(BothRuns.Sorted(singleSnapshots), BothRuns.Sorted(clusterSnapshots));
    }
}
