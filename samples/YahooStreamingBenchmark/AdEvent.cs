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
    /// Parses one event from its UTF-8 JSON: no string is allocated, the ad id is parsed straight
    /// into a <see cref="Guid"/>, and the fields the query ignores are only skipped. Fields may come
    /// in any order; a field given twice counts its last value; unknown fields are ignored.
    /// </summary>
    /// <exception cref="FormatException">The bytes are not one JSON object holding an ad event; the message says which field or what is wrong.</exception>
    public static AdEvent Parse(ReadOnlyMemory<byte> json) =>
        CompactAdEvent.TryParse(json.Span, out var parsed) ? parsed : ParseWithReader(json.Span);

    /// <summary>
    /// Any JSON object, with <see cref="Utf8JsonReader"/>: whitespace, escapes, numbers, nested
    /// values in the fields the query ignores.
    /// </summary>
    /// <exception cref="FormatException">Not a JSON object holding an ad event.</exception>
    internal static AdEvent ParseWithReader(ReadOnlySpan<byte> json)
    {
        try
        {
            return ReadEvent(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"An ad event is not valid JSON: {e.Message}", e);
        }
    }

    private static AdEvent ReadEvent(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        Guid adId = default;
        var type = AdEventType.Other;
        long time = -1;
        var seen = 0;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new FormatException("An ad event must be a JSON object.");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("ad_id"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped
                    || !Utf8Parser.TryParse(reader.ValueSpan, out adId, out var consumed, 'D') || consumed != reader.ValueSpan.Length)
                {
                    throw new FormatException("ad_id is not a UUID.");
                }

                seen |= 1;
            }
            else if (reader.ValueTextEquals("event_type"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    throw new FormatException("event_type is not a string.");
                }

                type = reader.ValueIsEscaped
                    ? reader.ValueTextEquals("view"u8) ? AdEventType.View
                        : reader.ValueTextEquals("click"u8) ? AdEventType.Click
                        : reader.ValueTextEquals("purchase"u8) ? AdEventType.Purchase
                        : AdEventType.Other
                    : TypeOf(reader.ValueSpan);
                seen |= 2;
            }
            else if (reader.ValueTextEquals("event_time"u8))
            {
                reader.Read();
                // The original sends the time as a string of epoch milliseconds; accept a number too.
                if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Number) || reader.ValueIsEscaped
                    || !Utf8Parser.TryParse(reader.ValueSpan, out time, out var consumed) || consumed != reader.ValueSpan.Length)
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

        // Throws on anything but whitespace after the object.
        reader.Read();
        if (seen != 7)
        {
            var missing = string.Join(", ", new[] { "ad_id", "event_type", "event_time" }.Where((_, i) => (seen & (1 << i)) == 0));
            throw new FormatException($"An ad event needs ad_id, event_type and event_time; {missing} missing.");
        }

        return new AdEvent(adId, type, time);
    }

    internal static AdEventType TypeOf(ReadOnlySpan<byte> value) =>
        value.SequenceEqual("view"u8) ? AdEventType.View
        : value.SequenceEqual("click"u8) ? AdEventType.Click
        : value.SequenceEqual("purchase"u8) ? AdEventType.Purchase
        : AdEventType.Other;
}

/// <summary>A view projected to what the query needs: the ad and the event time.</summary>
public readonly record struct AdView(Guid AdId, long EventTime);

/// <summary>A campaign's 10-second event-time window: the grouping key of the query.</summary>
public readonly record struct CampaignWindow(Guid CampaignId, long WindowStart);

/// <summary>How many views a campaign window received in one batch.</summary>
public readonly record struct WindowCount(Guid CampaignId, long WindowStart, long Count);
