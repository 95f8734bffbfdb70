using System.Reactive.Linq;
using System.Reactive.Subjects;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using YahooStreamingBenchmark;

namespace StreamLinq.Benchmarks;

/// <summary>
/// The Yahoo Streaming Benchmark's query (parse JSON, keep views, join ad to campaign, count per
/// campaign per 10-second window) on one batch of pre-serialized events, four ways: the engine's
/// per-core cost with parsing and without the generator or the clock. Target: the in-memory mode
/// at 1.5 million events per second per core.
/// </summary>
[MemoryDiagnoser]
public class YahooQuery
{
    private const int Events = 200_000;
    private ReadOnlyMemory<byte>[] _events = [];
    private AdCampaign[] _campaigns = [];
    private Dictionary<Guid, Guid> _campaignOfAd = [];
    private CompiledPlan<ReadOnlyMemory<byte>, WindowCount> _plan = null!;

    [GlobalSetup]
    public void Setup()
    {
        _campaigns = Campaigns.Create();
        _campaignOfAd = _campaigns.ToDictionary(c => c.AdId, c => c.CampaignId);
        var generator = new EventGenerator(_campaigns);
        var buffer = new byte[Events * generator.MaxEventLength];
        var position = 0;
        var start = 1_700_000_000_000L;
        _events = [.. Enumerable.Range(0, Events).Select(i => generator.Next(start + (i / 10), buffer, ref position))];
        var campaigns = _campaigns;
        _plan = new CompiledPlan<ReadOnlyMemory<byte>, WindowCount>(s => AdvertisingJob.Counts(s, campaigns));
        var expected = HandWritten().OrderBy(c => (c.CampaignId, c.WindowStart)).ToArray();
        foreach (var actual in new[] { StreamLinq(), Linq(), Rx() })
        {
            if (!actual.OrderBy(c => (c.CampaignId, c.WindowStart)).SequenceEqual(expected))
            {
                throw new InvalidOperationException("The four forms disagree.");
            }
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public WindowCount[] HandWritten()
    {
        var counts = new Dictionary<CampaignWindow, long>();
        foreach (var json in _events)
        {
            var e = AdEvent.Parse(json);
            if (e.EventType == AdEventType.View && _campaignOfAd.TryGetValue(e.AdId, out var campaign))
            {
                ref var count = ref CollectionsMarshal.GetValueRefOrAddDefault(counts, new CampaignWindow(campaign, e.EventTime - (e.EventTime % AdvertisingJob.WindowMs)), out _);
                count++;
            }
        }

        return [.. counts.Select(c => new WindowCount(c.Key.CampaignId, c.Key.WindowStart, c.Value))];
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public WindowCount[] StreamLinq() => _plan.Run(_events);

    [Benchmark(OperationsPerInvoke = Events)]
    public WindowCount[] Linq() =>
        [.. _events
            .Select(json => AdEvent.Parse(json))
            .Where(e => e.EventType == AdEventType.View)
            .Select(e => new AdView(e.AdId, e.EventTime))
            .Join(_campaigns, v => v.AdId, c => c.AdId, (v, c) => new CampaignWindow(c.CampaignId, v.EventTime - (v.EventTime % AdvertisingJob.WindowMs)))
            .GroupBy(w => w)
            .Select(g => new WindowCount(g.Key.CampaignId, g.Key.WindowStart, g.Count()))];

    [Benchmark(OperationsPerInvoke = Events)]
    public WindowCount[] Rx()
    {
        // Rx has no join with static data: the campaign is looked up in a dictionary built once.
        var subject = new Subject<ReadOnlyMemory<byte>>();
        var campaignOfAd = _campaignOfAd;
        var result = new List<WindowCount>();
        using var subscription = subject
            .Select(json => AdEvent.Parse(json))
            .Where(e => e.EventType == AdEventType.View && campaignOfAd.ContainsKey(e.AdId))
            .Select(e => new CampaignWindow(campaignOfAd[e.AdId], e.EventTime - (e.EventTime % AdvertisingJob.WindowMs)))
            .GroupBy(w => w)
            .SelectMany(g => g.Count().Select(n => new WindowCount(g.Key.CampaignId, g.Key.WindowStart, n)))
            .Subscribe(result.Add);
        foreach (var json in _events)
        {
            subject.OnNext(json);
        }

        subject.OnCompleted();
        return [.. result];
    }
}
