using System.Buffers.Text;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace YahooStreamingBenchmark;

/// <summary>
/// Reads an ad event in the form generators write, as the original's does: one object of string
/// or integer values, no whitespace, and only printable ASCII without backslashes (so no escapes).
/// One vector pass checks the bytes and finds every quote; the fields are then sliced between
/// quotes, the ad id decoded from its hex digits, and the fields the query ignores only stepped
/// over. Anything else, valid JSON or not, is declined and read by the general reader
/// (<see cref="AdEvent.ParseWithReader"/>): every event this accepts is valid JSON that the
/// general reader reads to the same <see cref="AdEvent"/>.
/// </summary>
internal static class CompactAdEvent
{
    /// <summary>Longer events are left to the general reader, so that the quote positions fit on the stack.</summary>
    public const int MaxLength = 1024;

    private const int BlockSize = 32;

    /// <summary>The event in <paramref name="json"/>; false when it is not in the compact form or not an ad event.</summary>
    public static bool TryParse(ReadOnlySpan<byte> json, out AdEvent parsed)
    {
        parsed = default;
        if (json.Length < BlockSize || json.Length > MaxLength || json[0] != (byte)'{' || json[^1] != (byte)'}')
        {
            return false;
        }

        Span<uint> masks = stackalloc uint[MaxLength / BlockSize];
        if (!FindQuotes(json, masks))
        {
            return false;
        }

        // Every quote of the compact form opens or closes a name or a string value, so the walk
        // takes them in order.
        var quotes = new QuoteCursor(masks[..((json.Length + BlockSize - 1) / BlockSize)]);
        Guid adId = default;
        var type = AdEventType.Other;
        long time = -1;
        var seen = 0;
        var position = 1;
        while (true)
        {
            if (quotes.Next() != position)
            {
                return false;
            }

            var nameEnd = quotes.Next();
            if (nameEnd < 0 || nameEnd + 2 >= json.Length || json[nameEnd + 1] != (byte)':')
            {
                return false;
            }

            var name = json[(position + 1)..nameEnd];
            position = nameEnd + 2;
            ReadOnlySpan<byte> value;
            var isString = json[position] == (byte)'"';
            if (isString)
            {
                var valueEnd = quotes.Next() == position ? quotes.Next() : -1;
                if (valueEnd < 0)
                {
                    return false;
                }

                value = json[(position + 1)..valueEnd];
                position = valueEnd + 1;
            }
            else
            {
                // An integer as JSON writes it: -?(0|[1-9][0-9]*).
                var digitsStart = json[position] == (byte)'-' ? position + 1 : position;
                var digits = json[digitsStart..].IndexOfAnyExceptInRange((byte)'0', (byte)'9');
                if (digits <= 0 || (digits > 1 && json[digitsStart] == (byte)'0'))
                {
                    return false;
                }

                value = json[position..(digitsStart + digits)];
                position = digitsStart + digits;
            }

            if (name.SequenceEqual("ad_id"u8))
            {
                if (!isString || !TryParseGuid(value, out adId))
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

                type = AdEvent.TypeOf(value);
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

            // The last byte is the closing brace (checked above), so position is in range.
            if (json[position] == (byte)',')
            {
                position++;
                continue;
            }

            if (json[position] != (byte)'}' || position != json.Length - 1 || seen != 7)
            {
                return false;
            }

            parsed = new AdEvent(adId, type, time);
            return true;
        }
    }

    // One bit per byte, set at each quote; false when a byte is not printable ASCII or is a
    // backslash: then a string might hold an escape, a control character or a multi-byte
    // character, which only the general reader checks. Bits past the end stay clear.
    private static bool FindQuotes(ReadOnlySpan<byte> json, Span<uint> quotes)
    {
        ref var start = ref MemoryMarshal.GetReference(json);
        var quote = Vector256.Create((byte)'"');
        var backslash = Vector256.Create((byte)'\\');
        var space = Vector256.Create((byte)0x20);
        var printable = Vector256.Create((byte)(0x7E - 0x20));
        var length = json.Length;
        var block = 0;
        for (var offset = 0; offset < length; offset += BlockSize, block++)
        {
            // The last block is read ending at the last byte, overlapping the one before, and shifted.
            var at = Math.Min(offset, length - BlockSize);
            var bytes = Vector256.LoadUnsafe(ref start, (nuint)at);
            if (Vector256.GreaterThanAny(bytes - space, printable) || Vector256.EqualsAny(bytes, backslash))
            {
                return false;
            }

            quotes[block] = Vector256.Equals(bytes, quote).ExtractMostSignificantBits() >> (offset - at);
        }

        return true;
    }

    // The 'D' form, xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, either case: what Utf8Parser's 'D' reads.
    private static bool TryParseGuid(ReadOnlySpan<byte> text, out Guid guid)
    {
        guid = default;
        if (text.Length != 36 || text[8] != (byte)'-' || text[13] != (byte)'-' || text[18] != (byte)'-' || text[23] != (byte)'-')
        {
            return false;
        }

        var invalid = 0;
        var a = (uint)Hex(text, 0, 8, ref invalid);
        var b = (ushort)Hex(text, 9, 4, ref invalid);
        var c = (ushort)Hex(text, 14, 4, ref invalid);
        var d = Hex(text, 19, 4, ref invalid);
        var e = Hex(text, 24, 12, ref invalid);
        if (invalid != 0)
        {
            return false;
        }

        guid = new Guid(a, b, c, (byte)(d >> 8), (byte)d, (byte)(e >> 40), (byte)(e >> 32), (byte)(e >> 24), (byte)(e >> 16), (byte)(e >> 8), (byte)e);
        return true;
    }

    // Digits [start, start + count) as hex; sets invalid to 1 for a byte that is not a hex digit.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Hex(ReadOnlySpan<byte> text, int start, int count, ref int invalid)
    {
        ulong value = 0;
        foreach (var digit in text.Slice(start, count))
        {
            var nibble = HexValues[digit];
            invalid |= nibble >> 4;
            value = (value << 4) | (uint)(nibble & 0xF);
        }

        return value;
    }

    // 0-15 for a hex digit, 0x10 (an invalid bit) for any other byte.
    private static ReadOnlySpan<byte> HexValues =>
    [
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 16, 16, 16, 16, 16,
        16, 10, 11, 12, 13, 14, 15, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 10, 11, 12, 13, 14, 15, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
    ];

    // The quotes' positions in order, from one bit per byte.
    private ref struct QuoteCursor(ReadOnlySpan<uint> masks)
    {
        private readonly ReadOnlySpan<uint> _masks = masks;
        private int _block = -1;
        private uint _bits;

        // The next quote's position; -1 past the last.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Next()
        {
            while (_bits == 0)
            {
                if (++_block == _masks.Length)
                {
                    _block--;
                    return -1;
                }

                _bits = _masks[_block];
            }

            var position = (_block * BlockSize) + BitOperations.TrailingZeroCount(_bits);
            _bits &= _bits - 1;
            return position;
        }
    }
}
