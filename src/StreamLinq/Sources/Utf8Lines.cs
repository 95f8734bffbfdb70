using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace StreamLinq.Sources;

/// <summary>
/// The line rules the text sources share, so that a file and a socket cut and decode the same
/// bytes the same way: a line ends at '\n'; every '\r' right before that '\n' belongs to the
/// terminator and is dropped (so "a\r\n" and "a\r\r\n" both give "a"); a '\r' anywhere else is
/// data. Lines are decoded as strict UTF-8: invalid bytes are reported, never replaced by U+FFFD.
/// </summary>
internal static class Utf8Lines
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The line's content: <paramref name="line"/> (without its '\n') less the carriage returns that end it.</summary>
    public static ReadOnlySequence<byte> TrimTerminator(ReadOnlySequence<byte> line)
    {
        var length = line.Length;
        if (line.IsSingleSegment)
        {
            var span = line.FirstSpan;
            while (length > 0 && span[(int)length - 1] == (byte)'\r')
            {
                length--;
            }

            return line.Slice(0, length);
        }

        // Rare (a line split across pipe segments): walk back from the end one byte at a time.
        while (length > 0 && line.Slice(length - 1, 1).FirstSpan[0] == (byte)'\r')
        {
            length--;
        }

        return line.Slice(0, length);
    }

    /// <inheritdoc cref="TrimTerminator(ReadOnlySequence{byte})"/>
    public static ReadOnlySpan<byte> TrimTerminator(ReadOnlySpan<byte> line) => line.TrimEnd((byte)'\r');

    /// <inheritdoc cref="TryDecode(ReadOnlySequence{byte}, out string, out long)"/>
    public static bool TryDecode(ReadOnlySpan<byte> line, out string text, out long badOffset)
    {
        try
        {
            text = Strict.GetString(line);
            badOffset = -1;
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = string.Empty;
            badOffset = FirstInvalid(line);
            return false;
        }
    }

    /// <summary>
    /// Decodes a line strictly; on invalid UTF-8 returns false with the offset of the first bad
    /// byte within the line.
    /// </summary>
    public static bool TryDecode(ReadOnlySequence<byte> line, out string text, out long badOffset)
    {
        try
        {
            text = Strict.GetString(line);
            badOffset = -1;
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = string.Empty;
            badOffset = FirstInvalid(line.IsSingleSegment ? line.FirstSpan : line.ToArray());
            return false;
        }
    }

    /// <summary>Only for a line already known to be bad, so the scratch buffer costs nothing on the good path.</summary>
    private static long FirstInvalid(ReadOnlySpan<byte> bytes)
    {
        var status = Utf8.ToUtf16(bytes, new char[bytes.Length], out var read, out _, replaceInvalidSequences: false);
        return status == OperationStatus.Done ? bytes.Length : read;
    }
}
