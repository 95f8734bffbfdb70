using System.Buffers.Text;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace YahooStreamingBenchmark;

/// <summary>
/// Reads an ad event in the form generators write, as the original's does: one object of string
/// or integer values, no whitespace, and only printable ASCII without backslashes (so no escapes).
/// Vector compares check the bytes and find the quotes 32 bytes at a time; the fields are sliced
/// between quotes, the ad id decoded from its hex digits in one vector, and the fields the query
/// ignores only stepped over. Anything else, valid JSON or not, is declined and read by the general reader
/// (<see cref="AdEvent.ParseWithReader"/>): every event this accepts is valid JSON that the
/// general reader reads to the same <see cref="AdEvent"/>.
/// </summary>
internal static class CompactAdEvent
{
    private const int BlockSize = 32;

    /// <summary>The event in <paramref name="json"/>; false when it is not in the compact form or not an ad event.</summary>
    public static bool TryParse(ReadOnlySpan<byte> json, out AdEvent parsed)
    {
        parsed = default;
        if (json.Length < BlockSize || json[0] != (byte)'{' || json[^1] != (byte)'}')
        {
            return false;
        }

        // Every quote of the compact form opens or closes a name or a string value, so the walk
        // takes them in order.
        var quotes = new QuoteCursor(json);
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
                // An integer as JSON writes it: -?(0|[1-9][0-9]*). The last byte is a brace, so the scan stops.
                var digitsStart = json[position] == (byte)'-' ? position + 1 : position;
                var end = digitsStart;
                while (IsDigit(json[end]))
                {
                    end++;
                }

                if (end == digitsStart || (end - digitsStart > 1 && json[digitsStart] == (byte)'0'))
                {
                    return false;
                }

                value = json[position..end];
                position = end;
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
                if (!TryParseTime(value, out time))
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    // Up to 18 plain digits, which cannot overflow; a sign or more digits are left to Utf8Parser,
    // which is what the general reader uses, so both read the same values.
    private static bool TryParseTime(ReadOnlySpan<byte> text, out long time)
    {
        time = 0;
        if (text.IsEmpty || text.Length > 18)
        {
            return Utf8Parser.TryParse(text, out time, out var consumed) && consumed == text.Length;
        }

        foreach (var b in text)
        {
            if (!IsDigit(b))
            {
                return Utf8Parser.TryParse(text, out time, out var consumed) && consumed == text.Length;
            }

            time = (time * 10) + (b - '0');
        }

        return true;
    }

    // The 'D' form, xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, either case: what Utf8Parser's 'D' reads.
    // The 32 digits are gathered into one vector, checked and turned into nibbles together, and
    // each pair packed into a byte: the bytes in text order are the GUID's big-endian form.
    private static bool TryParseGuid(ReadOnlySpan<byte> text, out Guid guid)
    {
        guid = default;
        if (!BitConverter.IsLittleEndian || text.Length != 36 || text[8] != (byte)'-' || text[13] != (byte)'-' || text[18] != (byte)'-' || text[23] != (byte)'-')
        {
            return false;
        }

        ref var from = ref MemoryMarshal.GetReference(text);
        var chars = Vector256.Create(
            Unsafe.ReadUnaligned<ulong>(ref from),
            Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref from, 9)) | ((ulong)Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref from, 14)) << 32),
            Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref from, 19)) | ((ulong)Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref from, 24)) << 32),
            Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref from, 28))).AsByte();
        var fromDigit = chars - Vector256.Create((byte)'0');
        var fromLetter = (chars | Vector256.Create((byte)0x20)) - Vector256.Create((byte)'a');
        var isDigit = Vector256.LessThanOrEqual(fromDigit, Vector256.Create((byte)9));
        var isLetter = Vector256.LessThanOrEqual(fromLetter, Vector256.Create((byte)5));
        if ((isDigit | isLetter) != Vector256<byte>.AllBitsSet)
        {
            return false;
        }

        var nibbles = Vector256.ConditionalSelect(isDigit, fromDigit, fromLetter + Vector256.Create((byte)10)).AsUInt16();
        // Each 16-bit lane holds a pair: its first digit in the low byte, its second in the high one.
        var pairs = ((nibbles << 4) & Vector256.Create((ushort)0xF0)) | (nibbles >> 8);
        var bigEndian = Vector128.Narrow(pairs.GetLower(), pairs.GetUpper());
        // A Guid's first three fields are stored in the machine's order (little endian on every
        // platform .NET runs this sample on): swap their bytes, keep the last eight.
        guid = Unsafe.BitCast<Vector128<byte>, Guid>(Vector128.Shuffle(bigEndian, Vector128.Create((byte)3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15)));
        return true;
    }

    // The quotes' positions in order, found a block of 32 bytes at a time as the walk reaches it.
    // A block holding a byte that is not printable ASCII, or a backslash, ends the walk: a string
    // there might hold an escape, a control character or a multi-byte character, which only the
    // general reader checks. The walk reaches every block up to the last quote; the bytes after it
    // are the last value's digits and the closing brace, which the walk checks itself.
    private ref struct QuoteCursor(ReadOnlySpan<byte> json)
    {
        private readonly ReadOnlySpan<byte> _json = json;
        private int _next;
        private uint _bits;

        // The next quote's position; -1 past the last, or once a block was not plain ASCII.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Next()
        {
            if (_bits == 0 && !NextBlock())
            {
                return -1;
            }

            var position = _next - BlockSize + BitOperations.TrailingZeroCount(_bits);
            _bits &= _bits - 1;
            return position;
        }

        // Loads blocks until one holds a quote; false at the end or at a block that is not plain.
        private bool NextBlock()
        {
            var quote = Vector256.Create((byte)'"');
            var backslash = Vector256.Create((byte)'\\');
            var space = Vector256.Create((byte)0x20);
            var printable = Vector256.Create((byte)(0x7E - 0x20));
            ref var start = ref MemoryMarshal.GetReference(_json);
            while (_next < _json.Length)
            {
                // The last block is read ending at the last byte, overlapping the one before, and shifted.
                var at = Math.Min(_next, _json.Length - BlockSize);
                var bytes = Vector256.LoadUnsafe(ref start, (nuint)at);
                if (Vector256.GreaterThanAny(bytes - space, printable) || Vector256.EqualsAny(bytes, backslash))
                {
                    _next = _json.Length;
                    return false;
                }

                _bits = Vector256.Equals(bytes, quote).ExtractMostSignificantBits() >> (_next - at);
                _next += BlockSize;
                if (_bits != 0)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
