using System.Diagnostics;
using StreamLinq;
using StreamLinq.Distributed;

namespace StreamLinq.ClusterBenchmark;

/// <summary>
/// One map task (<see cref="DistributedPlan.RunMapAsync"/>) over one partition's range: the bytes
/// it hands the shuffle per record read and its time per record, for the YSB query (partial counts
/// cross) and for the YSB views made distinct (views cross as records, a third of the events).
/// </summary>
internal static class ShuffleCost
{
    public static async Task<IReadOnlyList<(string Query, double BytesPerRecord, double MicrosecondsPerRecord)>> MeasureAsync(int records)
    {
        return
        [
            await MeasureAsync("YSB (partial counts per campaign window)", context => Jobs.Ysb(context, 1, records), records).ConfigureAwait(false),
            await MeasureAsync("YSB views, Distinct (each view a record)", context => Jobs.DistinctViews(context, 1, records), records).ConfigureAwait(false),
        ];
    }

    private static async Task<(string, double, double)> MeasureAsync(string query, Action<StreamingContext> define, int records)
    {
        await using var context = new StreamingContext(TimeSpan.FromSeconds(1));
        define(context);
        var plan = DistributedPlan.Create(context, keyPartitions: 8);
        var time = new BatchTime(TimeSpan.TicksPerDay);
        var task = plan.Cut(time).Tasks.Single();
        MapOutput output = await plan.RunMapAsync(task, CancellationToken.None).ConfigureAwait(false);
        var runs = 0;
        var watch = Stopwatch.StartNew();
        while (runs < 5 || watch.Elapsed < TimeSpan.FromSeconds(1))
        {
            output = await plan.RunMapAsync(task, CancellationToken.None).ConfigureAwait(false);
            runs++;
        }

        var bytes = output.Partitions.Sum(p => (long)p.Length);
        return (query, (double)bytes / output.RecordsRead, watch.Elapsed.TotalMicroseconds / runs / output.RecordsRead);
    }
}
