using System.Text.Json;

namespace StreamLinq.Sources;

/// <summary>
/// A partitioned source's position as its checkpointed state
/// (<see cref="State.IStatefulOperator.WriteState"/> and <see cref="State.IStatefulOperator.ReadState"/>):
/// one JSON object, a property per partition holding that partition's offset
/// (<c>{"orders:0": "1700000000000-3", "orders:1": null}</c>). The Redis Streams and NATS
/// JetStream sources and the connector SDK's sample log source keep their positions this way
/// (their batch ranges: <see cref="PartitionRanges"/>).
/// </summary>
/// <remarks>
/// Across batches: the position is where the source goes on after the newest sealed batch,
/// written with every checkpoint. At restore each partition the checkpoint names takes its
/// offset, and one it does not name (a partition added since) stays where the source put it; a
/// partition the checkpoint names that the source no longer reads is refused, naming it. Pending
/// batches are replayed from their own ranges, not from this position.
/// </remarks>
public static class PartitionPositions
{
    /// <summary>Writes <paramref name="positions"/> as one object, a property per partition.</summary>
    /// <typeparam name="TOffset">A partition's offset.</typeparam>
    /// <param name="writer">The writer handed to <see cref="State.IStatefulOperator.WriteState"/>.</param>
    /// <param name="positions">Each partition's offset, in the order to write them.</param>
    /// <param name="writeOffset">Writes one property: the partition's name and its offset (e.g. <c>(w, p, o) =&gt; w.WriteNumber(p, o)</c>).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static void Write<TOffset>(Utf8JsonWriter writer, IEnumerable<KeyValuePair<string, TOffset>> positions, Action<Utf8JsonWriter, string, TOffset> writeOffset)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(writeOffset);
        writer.WriteStartObject();
        foreach (var (partition, offset) in positions)
        {
            writeOffset(writer, partition, offset);
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// Reads what <see cref="Write"/> wrote into <paramref name="positions"/>, whose keys are the
    /// partitions <paramref name="source"/> reads.
    /// </summary>
    /// <typeparam name="TOffset">A partition's offset.</typeparam>
    /// <param name="source">The source whose state this is: its name goes into errors, and its <see cref="State.IStatefulOperator.StateVersion"/> is the one version read.</param>
    /// <param name="state">The state handed to <see cref="State.IStatefulOperator.ReadState"/>.</param>
    /// <param name="version">The version handed with it.</param>
    /// <param name="positions">Each partition's offset; the ones the checkpoint names are replaced.</param>
    /// <param name="readOffset">Reads one offset (e.g. <c>e =&gt; e.GetUInt64()</c>); an <see cref="InvalidOperationException"/> or <see cref="FormatException"/> it throws is reported as a malformed offset.</param>
    /// <returns>The partitions the checkpoint named, in its order.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidDataException">The version is not the source's, the state is not an object, it names a partition the source does not read, or an offset is malformed; the message names the source and the partition.</exception>
    public static IReadOnlyList<string> Read<TOffset>(IOffsetRangeSource source, JsonElement state, int version, IDictionary<string, TOffset> positions, Func<JsonElement, TOffset> readOffset)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(readOffset);
        if (version != source.StateVersion || state.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{source.Name}: unreadable checkpointed position (version {version}).");
        }

        var read = new List<string>();
        foreach (var property in state.EnumerateObject())
        {
            if (!positions.ContainsKey(property.Name))
            {
                throw new InvalidDataException($"{source.Name}: the checkpoint holds a position for partition '{property.Name}', which this source does not read.");
            }

            try
            {
                positions[property.Name] = readOffset(property.Value);
            }
            catch (Exception error) when (error is InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"{source.Name}: the checkpointed position of partition '{property.Name}' is malformed: {property.Value.GetRawText()}.", error);
            }

            read.Add(property.Name);
        }

        return read;
    }
}
