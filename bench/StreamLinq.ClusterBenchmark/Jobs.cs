using StreamLinq;
using StreamLinq.Orleans;
using YahooStreamingBenchmark;

namespace StreamLinq.ClusterBenchmark;

/// <summary>The jobs measured, each over <see cref="GeneratedPartitions{T}"/>.</summary>
internal static class Jobs
{
    /// <summary>The YSB events the generated source hands out, by offset: the sample's generator, one event time.</summary>
    private static readonly ReadOnlyMemory<byte>[] Events = MakeEvents(10_007);

    /// <summary>The campaigns the events' ads belong to (the sample's seed).</summary>
    public static AdCampaign[] Campaigns { get; } = YahooStreamingBenchmark.Campaigns.Create();

    /// <summary>A per-batch count by key over <paramref name="partitions"/> partitions of <paramref name="perBatch"/> numbers each: one shuffle, tiny partials.</summary>
    public static void CountByKey(StreamingContext context, int partitions, int perBatch) =>
        context.AddInput(new GeneratedPartitions<long>(partitions, perBatch, static (_, offset) => offset))
            .GroupBy(n => n % 10)
            .Select(g => new KeyCount(g.Key, g.Count()))
            .ForEachBatch(static (_, _) => { });

    /// <summary>The YSB query (the sample's <see cref="AdvertisingJob.Counts"/>) over generated events; its counts are dropped.</summary>
    public static void Ysb(StreamingContext context, int partitions, int perBatch) =>
        AdvertisingJob.Counts(YsbEvents(context, partitions, perBatch), Campaigns).ForEachBatch(static (_, _) => { });

    /// <summary>
    /// The YSB query with its count written as <c>g.ToList().Count</c>, which executors cannot
    /// pre-aggregate: each view's campaign window crosses the shuffle as a record, as every YSB
    /// view did before map-side combining. The same-run baseline of the partials.
    /// </summary>
    public static void YsbShippingRecords(StreamingContext context, int partitions, int perBatch) =>
        YsbEvents(context, partitions, perBatch)
            .Select(json => AdEvent.Parse(json))
            .Where(e => e.EventType == AdEventType.View)
            .Select(e => new AdView(e.AdId, e.EventTime))
            .Join(Campaigns, v => v.AdId, c => c.AdId, (v, c) => new CampaignWindow(c.CampaignId, AdvertisingJob.WindowStart(v.EventTime)))
            .GroupBy(w => w)
            .Select(g => new WindowCount(g.Key.CampaignId, g.Key.WindowStart, g.ToList().Count))
            .ForEachBatch(static (_, _) => { });

    /// <summary>The YSB query's views, distinct: every view crosses the shuffle as a record.</summary>
    public static void DistinctViews(StreamingContext context, int partitions, int perBatch) =>
        YsbEvents(context, partitions, perBatch)
            .Select(json => AdEvent.Parse(json))
            .Where(e => e.EventType == AdEventType.View)
            .Select(e => new AdView(e.AdId, e.EventTime))
            .Distinct()
            .ForEachBatch(static (_, _) => { });

    /// <summary>Registers <paramref name="define"/> as job <paramref name="name"/>, on the fast clock so that batches run back to back.</summary>
    public static StreamJobRegistry AddBackToBack(this StreamJobRegistry jobs, string name, Action<StreamingContext> define) =>
        jobs.AddJob(name, (context, _) => define(context), options =>
        {
            options.BatchInterval = TimeSpan.FromSeconds(1);
            options.Streaming = options.Streaming with { TimeProvider = new FastClock() };
        });

    /// <summary>The event the generated source hands out at <paramref name="offset"/> of <paramref name="partition"/>.</summary>
    public static ReadOnlyMemory<byte> Event(int partition, long offset) => Events[(offset * 31 + partition) % Events.Length];

    /// <summary>The YSB query in LINQ to Objects over one batch of events: the number of campaign windows counted.</summary>
    public static int YsbInLinq(ReadOnlyMemory<byte>[] events) =>
        events
            .Select(json => AdEvent.Parse(json))
            .Where(e => e.EventType == AdEventType.View)
            .Select(e => new AdView(e.AdId, e.EventTime))
            .Join(Campaigns, v => v.AdId, c => c.AdId, (v, c) => new CampaignWindow(c.CampaignId, AdvertisingJob.WindowStart(v.EventTime)))
            .GroupBy(w => w)
            .Select(g => new WindowCount(g.Key.CampaignId, g.Key.WindowStart, g.Count()))
            .Count();

    private static IDStream<ReadOnlyMemory<byte>> YsbEvents(StreamingContext context, int partitions, int perBatch) =>
        context.AddInput(new GeneratedPartitions<ReadOnlyMemory<byte>>(partitions, perBatch, static (partition, offset) => Event(partition, offset)));

    private static ReadOnlyMemory<byte>[] MakeEvents(int count)
    {
        var generator = new EventGenerator(YahooStreamingBenchmark.Campaigns.Create());
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        return [.. Enumerable.Range(0, count).Select(_ => (ReadOnlyMemory<byte>)generator.Next(now))];
    }
}

/// <summary>A key's count in one batch.</summary>
internal readonly record struct KeyCount(long Key, int Count);
