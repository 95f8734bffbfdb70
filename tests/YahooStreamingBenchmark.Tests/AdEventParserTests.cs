using System.Globalization;
using System.Text;
using FsCheck.Xunit;

namespace YahooStreamingBenchmark.Tests;

/// <summary>
/// <see cref="AdEvent.Parse"/>: the compact form the generators write takes the fast path, any
/// other JSON the general reader, and both read an event to the same fields; what is not an ad
/// event is a <see cref="FormatException"/> that says what was wrong.
/// </summary>
public class AdEventParserTests
{
    private static readonly Guid AdId = Guid.Parse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");

    private static readonly EventGenerator Generator = new(Campaigns.Create());

    [Fact]
    public void Every_event_the_generator_writes_is_read_on_the_fast_path_to_what_the_general_reader_reads()
    {
        for (var i = 0; i < 2_000; i++)
        {
            var json = Generator.Next(1_700_000_000_000 + i);
            Assert.True(CompactAdEvent.TryParse(json, out var fast), Encoding.UTF8.GetString(json));
            Assert.Equal(AdEvent.ParseWithReader(json), fast);
            Assert.Equal(1_700_000_000_000 + i, fast.EventTime);
        }
    }

    [Property(MaxTest = 500)]
    public void An_event_in_any_layout_parses_to_its_fields(int seed)
    {
        var random = new Random(seed);
        var expected = new AdEvent(NewGuid(random), (AdEventType)random.Next(4), random.NextInt64(0, 10_000_000_000_000));
        var json = Encoding.UTF8.GetBytes(Layout(random, expected));
        Assert.Equal(expected, AdEvent.Parse(json));
    }

    [Property(MaxTest = 2_000)]
    public void A_damaged_event_parses_as_the_general_reader_reads_it_or_fails_in_both(int seed)
    {
        var random = new Random(seed);
        var json = new List<byte>(Generator.Next(random.NextInt64(0, 10_000_000_000_000)));
        ReadOnlySpan<byte> replacements = "\"\\,:{}[]0123456789-+. aA\t"u8;
        for (var damage = random.Next(1, 4); damage > 0; damage--)
        {
            var at = random.Next(json.Count);
            switch (random.Next(4))
            {
                case 0:
                    json.RemoveAt(at);
                    break;
                case 1:
                    json.Insert(at, json[at]);
                    break;
                case 2:
                    json[at] = random.Next(10) == 0 ? (byte)random.Next(256) : replacements[random.Next(replacements.Length)];
                    break;
                default:
                    json.RemoveRange(at, Math.Min(json.Count - at, random.Next(1, 40)));
                    break;
            }
        }

        var bytes = json.ToArray();
        Assert.Equal(Outcome(() => AdEvent.ParseWithReader(bytes)), Outcome(() => AdEvent.Parse(bytes)));
    }

    [Theory]
    [InlineData("""{"ad_id":"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0","event_type":7,"event_time":"1"}""", "event_type")]
    [InlineData("""{"ad_id":"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0","event_type":"view","event_time":"12x"}""", "event_time")]
    [InlineData("""{"ad_id":"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0","event_type":"view","event_time":1.5}""", "event_time")]
    [InlineData("""{"ad_id":"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0x","event_type":"view","event_time":"1"}""", "ad_id")]
    [InlineData("""{"ad_id":{"id":"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"},"event_type":"view","event_time":"1"}""", "ad_id")]
    [InlineData("""{"ad_id":"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0","event_time":"1"}""", "event_type missing")]
    [InlineData("{\"ad_id\":\"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\",\"event_type\":\"view\",\"event_time\":\"1\"", "not valid JSON")]
    [InlineData("""{"ad_id":"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0","event_type":"view","event_time":"1"} x""", "not valid JSON")]
    [InlineData("""["ad_id","0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"]""", "JSON object")]
    [InlineData("", "not valid JSON")]
    public void What_is_not_an_ad_event_fails_with_a_message_naming_what_is_wrong(string json, string named)
    {
        var error = Assert.Throws<FormatException>(() => AdEvent.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_last_of_a_field_given_twice_counts_on_both_paths()
    {
        var compact = """{"ad_id":"00000000-0000-0000-0000-000000000000","event_type":"click","event_time":"5","ad_id":"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0","event_type":"view"}"""u8.ToArray();
        var spaced = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(compact).Replace(",", ", ", StringComparison.Ordinal));
        Assert.True(CompactAdEvent.TryParse(compact, out _));
        Assert.Equal(new AdEvent(AdId, AdEventType.View, 5), AdEvent.Parse(compact));
        Assert.Equal(new AdEvent(AdId, AdEventType.View, 5), AdEvent.Parse(spaced));
    }

    // The event's fields in random order among fields the query ignores (strings with escapes and
    // non-ASCII, numbers, nested values), with or without whitespace, the time as a string or a number.
    private static string Layout(Random random, AdEvent e)
    {
        string[] types = ["\"shared\"", "\"view\"", "\"click\"", "\"purchase\""];
        var type = e.EventType == AdEventType.View && random.Next(3) == 0 ? "\"vi\\u0065w\"" : types[(int)e.EventType];
        var id = e.AdId.ToString("D", CultureInfo.InvariantCulture);
        var fields = new List<string>
        {
            $"\"ad_id\":\"{(random.Next(2) == 0 ? id : id.ToUpperInvariant())}\"",
            $"\"event_type\":{type}",
            random.Next(2) == 0 ? $"\"event_time\":\"{e.EventTime}\"" : $"\"event_time\":{e.EventTime}",
        };
        string[] ignored =
        [
            "\"user_id\":\"3f8b8a5c-2f4b-4a8e-9a43-6f1f3c1f2a10\"",
            "\"ad_type\":\"banner\"",
            "\"ip_address\":\"1.2.3.4\"",
            "\"note\":\"a \\\"quoted\\\" word\"",
            "\"city\":\"Zürich\"",
            "\"score\":-12.5e3",
            "\"tags\":[1,{\"ad_id\":\"x\"},null,true]",
            "\"page\":{\"event_time\":\"not this\"}",
            "\"count\":0",
        ];
        foreach (var extra in ignored)
        {
            if (random.Next(2) == 0)
            {
                fields.Insert(random.Next(fields.Count + 1), extra);
            }
        }

        var spaced = random.Next(3) == 0;
        var body = string.Join(spaced ? ", " : ",", fields);
        return spaced ? "{ " + body.Replace("\":", "\": ", StringComparison.Ordinal) + " }\n" : "{" + body + "}";
    }

    private static Guid NewGuid(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes);
    }

    private static string Outcome(Func<AdEvent> parse)
    {
        try
        {
            return parse().ToString();
        }
        catch (FormatException)
        {
            return "FormatException";
        }
    }
}
