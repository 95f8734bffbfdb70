using System.Text.Json;

namespace StreamLinq.Sources;

/// <summary>
/// A partitioned source's batch range as written into checkpoints and commits
/// (<see cref="IOffsetRangeSource.WriteRange"/> and <see cref="IOffsetRangeSource.ReadRange"/>): an
/// array with one object per partition's range, or, for a batch sealed as "up to n records per
/// partition after the position" and not read yet (<see cref="IOffsetRangeSource.IsResolved"/>
/// false), <c>{"unresolved": n}</c>. The Redis Streams and NATS JetStream sources write their
/// ranges this way.
/// </summary>
/// <remarks>
/// Per batch: the range is written before any output sees the batch. On replay an unresolved batch
/// is read again from the checkpointed position, as the lost run would have read it; a resolved one
/// reads exactly its ranges.
/// </remarks>
public static class PartitionRanges
{
    /// <summary>Writes a batch's range: <paramref name="ranges"/> one object each, or, when null, the unresolved form.</summary>
    /// <typeparam name="TRange">One partition's range.</typeparam>
    /// <param name="writer">The writer handed to <see cref="IOffsetRangeSource.WriteRange"/>.</param>
    /// <param name="ranges">The partitions' ranges; null while the batch is unresolved.</param>
    /// <param name="unresolved">The most records per partition an unresolved batch takes (written only when <paramref name="ranges"/> is null).</param>
    /// <param name="writeRange">Writes one range's properties inside its object.</param>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> or <paramref name="writeRange"/> is null.</exception>
    public static void Write<TRange>(Utf8JsonWriter writer, IEnumerable<TRange>? ranges, int unresolved, Action<Utf8JsonWriter, TRange> writeRange)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(writeRange);
        if (ranges is null)
        {
            writer.WriteStartObject();
            writer.WriteNumber("unresolved", unresolved);
            writer.WriteEndObject();
            return;
        }

        writer.WriteStartArray();
        foreach (var range in ranges)
        {
            writer.WriteStartObject();
            writeRange(writer, range);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>Reads what <see cref="Write"/> wrote.</summary>
    /// <typeparam name="TRange">One partition's range.</typeparam>
    /// <param name="source">The source whose range this is: its name goes into errors.</param>
    /// <param name="range">The range handed to <see cref="IOffsetRangeSource.ReadRange"/>.</param>
    /// <param name="maxUnresolved">The most records per partition an unresolved batch may take now: the count read is brought into 1 to this.</param>
    /// <param name="readRange">Reads one range's object; an <see cref="InvalidOperationException"/>, <see cref="KeyNotFoundException"/> or <see cref="FormatException"/> it throws is reported as a malformed range.</param>
    /// <param name="unresolved">The unresolved batch's count when the result is null; 0 otherwise.</param>
    /// <returns>The ranges, in order; null for an unresolved batch.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="readRange"/> is null.</exception>
    /// <exception cref="InvalidDataException">The range is malformed; the message names the source and quotes it.</exception>
    public static IReadOnlyList<TRange>? Read<TRange>(IBatchSource source, JsonElement range, int maxUnresolved, Func<JsonElement, TRange> readRange, out int unresolved)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(readRange);
        try
        {
            if (range.ValueKind == JsonValueKind.Object)
            {
                unresolved = Math.Clamp(range.GetProperty("unresolved").GetInt32(), 1, Math.Max(1, maxUnresolved));
                return null;
            }

            unresolved = 0;
            return [.. range.EnumerateArray().Select(readRange)];
        }
        catch (Exception error) when (error is InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new InvalidDataException($"{source.Name}: a pending batch's range is malformed: {range.GetRawText()}", error);
        }
    }
}
