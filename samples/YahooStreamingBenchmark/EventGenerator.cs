using System.Text;

namespace YahooStreamingBenchmark;

/// <summary>
/// Makes ad events as the original's generator does (random user, page, ad, ad type, event
/// type and IP; event time = the time of generation) as UTF-8 JSON, or as the parsed
/// <see cref="AdEvent"/> for the pre-parsed mode. The JSON of 10,000 events is serialized once;
/// each event copies one and writes its event time into it, so generating is cheap next to what
/// is measured. Remembers how many views each campaign window got: the
/// checker's side of the comparison.
/// </summary>
public sealed class EventGenerator
{
    private const int Templates = 10_000;
    private static readonly string[] AdTypes = ["banner", "modal", "sponsored-search", "mail", "mobile"];
    private static readonly string[] EventTypes = ["view", "click", "purchase"];

    private readonly byte[][] _json = new byte[Templates][];
    private readonly int[] _timeOffset = new int[Templates];
    private readonly AdEvent[] _parsed = new AdEvent[Templates];
    private readonly Guid?[] _viewedCampaign = new Guid?[Templates];
    private readonly Dictionary<CampaignWindow, long> _expected = [];
    private readonly Random _random;

    public EventGenerator(AdCampaign[] campaigns, int seed = 1)
    {
        _random = new Random(seed);
        var users = Enumerable.Range(0, 100).Select(_ => Campaigns.NewGuid(_random)).ToArray();
        var pages = Enumerable.Range(0, 100).Select(_ => Campaigns.NewGuid(_random)).ToArray();
        for (var i = 0; i < Templates; i++)
        {
            var ad = campaigns[_random.Next(campaigns.Length)];
            var eventType = EventTypes[_random.Next(EventTypes.Length)];
            var prefix = "{\"user_id\":\"" + users[_random.Next(users.Length)] + "\",\"page_id\":\"" + pages[_random.Next(pages.Length)]
                + "\",\"ad_id\":\"" + ad.AdId + "\",\"ad_type\":\"" + AdTypes[_random.Next(AdTypes.Length)]
                + "\",\"event_type\":\"" + eventType + "\",\"event_time\":\"";
            var json = prefix + "0000000000000\",\"ip_address\":\"1.2.3." + _random.Next(256) + "\"}";
            _json[i] = Encoding.UTF8.GetBytes(json);
            _timeOffset[i] = Encoding.UTF8.GetByteCount(prefix);
            _viewedCampaign[i] = eventType == "view" ? ad.CampaignId : null;
            _parsed[i] = AdEvent.Parse(_json[i]);
        }
    }

    /// <summary>How many events were generated.</summary>
    public long Generated { get; private set; }

    /// <summary>The views generated per campaign window: what the job must have written.</summary>
    public IReadOnlyDictionary<CampaignWindow, long> Expected => _expected;

    /// <summary>The longest event's JSON, in bytes.</summary>
    public int MaxEventLength => _json.Max(json => json.Length);

    /// <summary>One event's JSON, with event time <paramref name="eventTimeMs"/> (13 digits of epoch milliseconds).</summary>
    public byte[] Next(long eventTimeMs)
    {
        var template = _random.Next(Templates);
        var json = new byte[_json[template].Length];
        Write(template, eventTimeMs, json);
        return json;
    }

    /// <summary>
    /// Writes one event's JSON into <paramref name="buffer"/> at <paramref name="offset"/> and
    /// returns it: events of a chunk share one buffer, as a receive buffer holds them, so there is
    /// no object per event for the GC to trace.
    /// </summary>
    public ReadOnlyMemory<byte> Next(long eventTimeMs, byte[] buffer, ref int offset)
    {
        var template = _random.Next(Templates);
        var json = buffer.AsMemory(offset, _json[template].Length);
        Write(template, eventTimeMs, json.Span);
        offset += json.Length;
        return json;
    }

    /// <summary>One event as the query reads it, already parsed, with event time <paramref name="eventTimeMs"/>.</summary>
    public AdEvent NextParsed(long eventTimeMs)
    {
        var template = _random.Next(Templates);
        Record(template, eventTimeMs);
        return _parsed[template] with { EventTime = eventTimeMs };
    }

    private void Write(int template, long eventTimeMs, Span<byte> json)
    {
        _json[template].CopyTo(json);
        var offset = _timeOffset[template];
        var time = eventTimeMs;
        for (var d = 12; d >= 0; d--)
        {
            json[offset + d] = (byte)('0' + (time % 10));
            time /= 10;
        }

        Record(template, eventTimeMs);
    }

    private void Record(int template, long eventTimeMs)
    {
        if (_viewedCampaign[template] is { } campaign)
        {
            var window = new CampaignWindow(campaign, AdvertisingJob.WindowStart(eventTimeMs));
            _expected[window] = _expected.GetValueOrDefault(window) + 1;
        }

        Generated++;
    }
}
