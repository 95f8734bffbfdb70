using System.Buffers.Text;
using System.Text.Json;

namespace YahooStreamingBenchmark;

/// <summary>The event types of the benchmark; only views are counted.</summary>
public enum AdEventType : byte
{
    Other,
    View,
    Click,
    Purchase,
}

/// <summary>
/// The fields of an ad event the query reads. The JSON also carries user_id, page_id, ad_type
/// and ip_address, which the query ignores, as the original's projection does.
/// </summary>
public readonly record struct AdEvent(Guid AdId, AdEventType EventType, long EventTime)
{
    /// <summary>
    /// Parses one event from its UTF-8 JSON with <see cref="Utf8JsonReader"/>: no string is
    /// allocated, the ad id is parsed straight into a <see cref="Guid"/>.
    /// </summary>
    /// <exception cref="FormatException">The JSON is not an ad event; the message says which field.</exception>
    public static AdEvent Parse(ReadOnlyMemory<byte> json)
    {
        var reader = new Utf8JsonReader(json.Span);
        Guid adId = default;
        var type = AdEventType.Other;
        long time = -1;
        var seen = 0;
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new FormatException("An ad event must be a JSON object.");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("ad_id"u8))
            {
                reader.Read();
                if (!Utf8Parser.TryParse(reader.ValueSpan, out adId, out _, 'D'))
                {
                    throw new FormatException("ad_id is not a UUID.");
                }

                seen |= 1;
            }
            else if (reader.ValueTextEquals("event_type"u8))
            {
                reader.Read();
                type = reader.ValueTextEquals("view"u8) ? AdEventType.View
                    : reader.ValueTextEquals("click"u8) ? AdEventType.Click
                    : reader.ValueTextEquals("purchase"u8) ? AdEventType.Purchase
                    : AdEventType.Other;
                seen |= 2;
            }
            else if (reader.ValueTextEquals("event_time"u8))
            {
                reader.Read();
                // The original sends the time as a string of epoch milliseconds; accept a number too.
                if (!Utf8Parser.TryParse(reader.ValueSpan, out time, out _))
                {
                    throw new FormatException("event_time is not epoch milliseconds.");
                }

                seen |= 4;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (seen != 7)
        {
            throw new FormatException("An ad event needs ad_id, event_type and event_time.");
        }

        return new AdEvent(adId, type, time);
    }
}

/// <summary>A view projected to what the query needs: the ad and the event time.</summary>
public readonly record struct AdView(Guid AdId, long EventTime);

/// <summary>A campaign's 10-second event-time window: the grouping key of the query.</summary>
public readonly record struct CampaignWindow(Guid CampaignId, long WindowStart);

/// <summary>How many views a campaign window received in one batch.</summary>
public readonly record struct WindowCount(Guid CampaignId, long WindowStart, long Count);
