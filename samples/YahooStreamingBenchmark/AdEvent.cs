using System.Buffers;
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
    // Bytes a string of the compact form may hold as they are: printable ASCII but the quote and
    // the backslash. Anything else (an escape, a control character, non-ASCII) is left to the
    // full reader.
    private static readonly SearchValues<byte> PlainStringBytes = SearchValues.Create(
        [.. Enumerable.Range(0x20, 0x7F - 0x20).Where(b => b != '"' && b != '\\').Select(b => (byte)b)]);

    /// <summary>
    /// Parses one event from its UTF-8 JSON: no string is allocated, the ad id is parsed straight
    /// into a <see cref="Guid"/>, and the fields the query ignores are only skipped. Fields may come
    /// in any order; a field given twice counts its last value; unknown fields are ignored.
    /// </summary>
    /// <exception cref="FormatException">The bytes are not one JSON object holding an ad event; the message says which field or what is wrong.</exception>
    public static AdEvent Parse(ReadOnlyMemory<byte> json) =>
        TryParseCompact(json.Span, out var parsed) ? parsed : ParseWithReader(json.Span);

    /// <summary>
    /// The form generators write, as the original's does: an object of string or integer values,
    /// with no whitespace, no escapes and only ASCII in strings. It is read by a scan for the next
    /// quote, several times faster than a general JSON reader; false for anything else (whether
    /// valid JSON or not), which <see cref="ParseWithReader"/> then reads. Everything this accepts
    /// is valid JSON that <see cref="ParseWithReader"/> reads to the same event.
    /// </summary>
    internal static bool TryParseCompact(ReadOnlySpan<byte> json, out AdEvent parsed)
    {
        parsed = default;
        if (json.IsEmpty || json[0] != (byte)'{')
        {
            return false;
        }

        Guid adId = default;
        var type = AdEventType.Other;
        long time = -1;
        var seen = 0;
        var position = 1;
        while (true)
        {
            if (!TryReadString(json, ref position, out var nameStart, out var nameLength) || position == json.Length || json[position] != (byte)':')
            {
                return false;
            }

            position++;
            var isString = position < json.Length && json[position] == (byte)'"';
            int valueStart, valueLength;
            if (!(isString ? TryReadString(json, ref position, out valueStart, out valueLength) : TryReadInteger(json, ref position, out valueStart, out valueLength)))
            {
                return false;
            }

            var name = json.Slice(nameStart, nameLength);
            var value = json.Slice(valueStart, valueLength);
            if (name.SequenceEqual("ad_id"u8))
            {
                if (!isString || !Utf8Parser.TryParse(value, out adId, out var consumed, 'D') || consumed != value.Length)
                {
                    return false;
                }

                seen |= 1;
            }
            else if (name.SequenceEqual("event_type"u8))
            {
                if (!isString)
                {
                    return false;
                }

                type = TypeOf(value);
                seen |= 2;
            }
            else if (name.SequenceEqual("event_time"u8))
            {
                if (!Utf8Parser.TryParse(value, out time, out var consumed) || consumed != value.Length)
                {
                    return false;
                }

                seen |= 4;
            }

            if (position == json.Length)
            {
                return false;
            }

            if (json[position] == (byte)'}')
            {
                if (position != json.Length - 1 || seen != 7)
                {
                    return false;
                }

                parsed = new AdEvent(adId, type, time);
                return true;
            }

            if (json[position] != (byte)',')
            {
                return false;
            }

            position++;
        }
    }

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

    private static AdEventType TypeOf(ReadOnlySpan<byte> value) =>
        value.SequenceEqual("view"u8) ? AdEventType.View
        : value.SequenceEqual("click"u8) ? AdEventType.Click
        : value.SequenceEqual("purchase"u8) ? AdEventType.Purchase
        : AdEventType.Other;

    // A string of the compact form at position (its opening quote); position moves past its closing quote.
    private static bool TryReadString(ReadOnlySpan<byte> json, ref int position, out int start, out int length)
    {
        start = position + 1;
        length = 0;
        if (position == json.Length || json[position] != (byte)'"')
        {
            return false;
        }

        length = json[start..].IndexOfAnyExcept(PlainStringBytes);
        if (length < 0 || json[start + length] != (byte)'"')
        {
            return false;
        }

        position = start + length + 1;
        return true;
    }

    // An integer as JSON writes it (-?(0|[1-9][0-9]*)) at position; position moves past it.
    private static bool TryReadInteger(ReadOnlySpan<byte> json, ref int position, out int start, out int length)
    {
        start = position;
        var digitsStart = position < json.Length && json[position] == (byte)'-' ? position + 1 : position;
        var digits = json[digitsStart..].IndexOfAnyExceptInRange((byte)'0', (byte)'9');
        if (digits < 0)
        {
            digits = json.Length - digitsStart;
        }

        length = digitsStart + digits - start;
        if (digits == 0 || (digits > 1 && json[digitsStart] == (byte)'0'))
        {
            return false;
        }

        position = start + length;
        return true;
    }
}

/// <summary>A view projected to what the query needs: the ad and the event time.</summary>
public readonly record struct AdView(Guid AdId, long EventTime);

/// <summary>A campaign's 10-second event-time window: the grouping key of the query.</summary>
public readonly record struct CampaignWindow(Guid CampaignId, long WindowStart);

/// <summary>How many views a campaign window received in one batch.</summary>
public readonly record struct WindowCount(Guid CampaignId, long WindowStart, long Count);
