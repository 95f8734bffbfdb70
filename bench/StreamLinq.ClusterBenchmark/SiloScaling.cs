using StreamLinq.Orleans;

namespace StreamLinq.ClusterBenchmark;

/// <summary>
/// The YSB query over 4 generated partitions of 5,000 events per batch, batches back to back, on
/// <c>silos</c> silos of this process: events read per second of wall time, from the driver's
/// counts of records per silo, after a 2-second warm-up. With <c>shipRecords</c>, the query
/// written so that executors cannot pre-aggregate it (<see cref="Jobs.YsbShippingRecords"/>).
/// </summary>
internal static class SiloScaling
{
    private const int Partitions = 4;
    private const int PerBatch = 5_000;

    public static async Task<(double EventsPerSecond, double FirstSiloShare)> MeasureAsync(int silos, TimeSpan duration, bool shipRecords = false)
    {
        await using var cluster = await LocalSilos.StartAsync(silos, jobs => jobs.AddBackToBack("ysb", context =>
        {
            if (shipRecords)
            {
                Jobs.YsbShippingRecords(context, Partitions, PerBatch);
            }
            else
            {
                Jobs.Ysb(context, Partitions, PerBatch);
            }
        })).ConfigureAwait(false);
        var (before, after, elapsed) = await cluster.RunAsync("ysb", TimeSpan.FromSeconds(2), duration).ConfigureAwait(false);
        var read = after.RecordsPerSilo.ToDictionary(s => s.Key, s => s.Value - before.RecordsPerSilo.GetValueOrDefault(s.Key));
        var total = read.Values.Sum();
        var first = read.Count == 0 ? 0 : read.Values.Max();
        return (total / elapsed.TotalSeconds, total == 0 ? 0 : (double)first / total);
    }
}
