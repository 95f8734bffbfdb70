using FsCheck.Xunit;
using StreamLinq.Orleans.Tests.Support;

namespace StreamLinq.Orleans.Tests.Operators;

/// <summary>Windows over batch time and event-time windows with their watermark give what one process gives.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterWindowTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Property(MaxTest = 3, Arbitrary = [typeof(Scripts)])]
    public void A_sliding_window_aggregated_by_key_gives_the_same_windows(Script<int> script)
    {
        var (single, cluster) = BothRuns.RunAsync(
            fixture,
            script,
            s => s.Window(3 * Second, 2 * Second).GroupBy(x => x % 3).Select(g => new { g.Key, N = g.Count(), S = g.Sum() }),
            script.Batches.Length + 2).GetAwaiter().GetResult();
        Assert.Equal(BothRuns.Sorted(single), BothRuns.Sorted(cluster));
    }

    [Property(MaxTest = 3, Arbitrary = [typeof(Scripts)])]
    public void ReduceByKeyAndWindow_gives_the_same_sums_per_key_and_window(Script<int> script)
    {
        var (single, cluster) = BothRuns.RunAsync(
            fixture,
            script,
            s => s.Select(x => new KeyValuePair<int, long>(x % 4, x)).ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, 2 * Second, Second),
            script.Batches.Length + 2).GetAwaiter().GetResult();
        Assert.Equal(BothRuns.Sorted(single), BothRuns.Sorted(cluster));
    }

    [Property(MaxTest = 3, Arbitrary = [typeof(Scripts)])]
    public void Event_time_windows_close_at_the_same_watermark_and_send_the_same_late_records(Script<int> script)
    {
        var (single, cluster) = BothRuns.RunAsync(
            fixture,
            script,
            s => s.WithEventTime(x => DateTimeOffset.FromUnixTimeSeconds(x), 3 * Second)
                .WindowByEventTime(x => x % 2, EventTimeWindows.Tumbling(5 * Second))
                .Select(w => $"{w.Key}@{w.Start.ToUnixTimeSeconds()}-{w.End.ToUnixTimeSeconds()}:{w.Records.Count}"),
            script.Batches.Length + 1).GetAwaiter().GetResult();
        Assert.Equal(BothRuns.Sorted(single), BothRuns.Sorted(cluster));

        var (singleLate, clusterLate) = BothRuns.RunAsync(
            fixture,
            script,
            s => s.WithEventTime(x => DateTimeOffset.FromUnixTimeSeconds(x), Second)
                .WindowByEventTime(x => x % 2, EventTimeWindows.Tumbling(5 * Second))
                .LateData()).GetAwaiter().GetResult();
        Assert.Equal(singleLate, clusterLate);
    }
}
