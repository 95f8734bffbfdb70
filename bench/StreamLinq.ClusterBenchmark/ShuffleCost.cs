using System.Diagnostics;
using StreamLinq;
using StreamLinq.Distributed;

namespace StreamLinq.ClusterBenchmark;

/// <summary>
/// One map task (<see cref="DistributedPlan.RunMapAsync"/>) over one partition's range: the bytes
/// it hands the shuffle per record read and its time per record, for the YSB query (executors
/// pre-aggregate: one partial count per campaign window crosses), for the same query written so
/// that it cannot be pre-aggregated (each view's campaign window crosses) and for the YSB views
/// made distinct (each view crosses), beside the baseline: the YSB query in LINQ to Objects over
/// the same events in this process, with no shuffle.
/// </summary>
internal static class ShuffleCost
{
    public static async Task<IReadOnlyList<(string Query, double BytesPerRecord, double MicrosecondsPerRecord)>> MeasureAsync(int records)
    {
        return
        [
            Baseline(records),
            await MeasureAsync("YSB map task (pre-aggregated: one partial count per campaign window crosses)", context => Jobs.Ysb(context, 1, records), records).ConfigureAwait(false),
            await MeasureAsync("YSB map task, count as g.ToList().Count (records: each view's CampaignWindow crosses)", context => Jobs.YsbShippingRecords(context, 1, records), records).ConfigureAwait(false),
            await MeasureAsync("YSB views, Distinct: map task (each AdView crosses)", context => Jobs.DistinctViews(context, 1, records), records).ConfigureAwait(false),
        ];
    }

    private static (string, double, double) Baseline(int records)
    {
        var events = Enumerable.Range(0, records).Select(offset => Jobs.Event(0, offset)).ToArray();
        var runs = 0;
        var windows = 0;
        var watch = Stopwatch.StartNew();
        while (runs < 5 || watch.Elapsed < TimeSpan.FromSeconds(1))
        {
            windows += Jobs.YsbInLinq(events);
            runs++;
        }

        return ($"YSB in LINQ to Objects, one process ({windows / runs} windows): baseline", 0, watch.Elapsed.TotalMicroseconds / runs / records);
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
