using StreamLinq.Orleans;

namespace StreamLinq.ClusterBenchmark;

/// <summary>
/// A whole batch of empty partitions on one silo, batches back to back: the driver's cut, one
/// executor grain call per partition, one reducer call per key partition (8) and the bookkeeping.
/// The figure is wall time per batch (the elapsed time over the batches done), on one silo so that
/// it holds the messages' cost without the network's.
/// </summary>
internal static class FanOutCost
{
    public static async Task<double> MeasureAsync(int partitions, TimeSpan duration)
    {
        await using var silos = await LocalSilos.StartAsync(1, jobs => jobs.AddBackToBack("fan-out", context => Jobs.CountByKey(context, partitions, perBatch: 0))).ConfigureAwait(false);
        var (before, after, elapsed) = await silos.RunAsync("fan-out", TimeSpan.FromSeconds(1), duration).ConfigureAwait(false);
        return elapsed.TotalMicroseconds / Math.Max(1, after.BatchesDone - before.BatchesDone);
    }
}
