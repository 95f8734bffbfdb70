using System.Collections.Immutable;
using StreamLinq;

namespace YahooStreamingBenchmark;

/// <summary>
/// The Yahoo Streaming Benchmark's advertising query as a StreamLinq query: parse, keep the
/// views, project the ad and the event time, join the ad to its campaign (a static table), count
/// per campaign per 10-second event-time window, and add each batch's counts into the store, as
/// the Spark version of the benchmark does per batch.
/// </summary>
public static class AdvertisingJob
{
    /// <summary>The length of an event-time window, in milliseconds.</summary>
    public const long WindowMs = 10_000;

    /// <summary>The start of the window holding <paramref name="eventTimeMs"/>.</summary>
    public static long WindowStart(long eventTimeMs) => eventTimeMs - (eventTimeMs % WindowMs);

    /// <summary>The per-batch counts of <paramref name="events"/> (one UTF-8 JSON event per record).</summary>
    public static IDStream<WindowCount> Counts(IDStream<ReadOnlyMemory<byte>> events, AdCampaign[] campaigns) =>
        Counts(events.Select(json => AdEvent.Parse(json)), campaigns);

    /// <summary>The per-batch counts of <paramref name="events"/>, already parsed.</summary>
    /// <remarks>
    /// The campaigns are joined as an immutable copy: the engine reads an immutable table once for
    /// the query's life, where it reads an array (which the caller could change) before every batch.
    /// </remarks>
    public static IDStream<WindowCount> Counts(IDStream<AdEvent> events, AdCampaign[] campaigns)
    {
        var table = ImmutableArray.Create(campaigns);
        return events
            .Where(e => e.EventType == AdEventType.View)
            .Select(e => new AdView(e.AdId, e.EventTime))
            .Join(table, v => v.AdId, c => c.AdId, (v, c) => new CampaignWindow(c.CampaignId, v.EventTime - (v.EventTime % WindowMs)))
            .GroupBy(w => w)
            .Select(g => new WindowCount(g.Key.CampaignId, g.Key.WindowStart, g.Count()));
    }

    /// <summary>Defines the job on <paramref name="events"/> (UTF-8 JSON): the counts, written to <paramref name="store"/> every batch.</summary>
    public static IDStream<WindowCount> Define(IDStream<ReadOnlyMemory<byte>> events, AdCampaign[] campaigns, IWindowStore store) =>
        Define(events.Select(json => AdEvent.Parse(json)), campaigns, store);

    /// <summary>Defines the job on <paramref name="events"/>, already parsed: the counts, written to <paramref name="store"/> every batch.</summary>
    public static IDStream<WindowCount> Define(IDStream<AdEvent> events, AdCampaign[] campaigns, IWindowStore store)
    {
        var counts = Counts(events, campaigns);
        counts.ForEachBatch((batch, _, cancellationToken) => store.AddAsync(batch, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), cancellationToken));
        return counts;
    }
}
