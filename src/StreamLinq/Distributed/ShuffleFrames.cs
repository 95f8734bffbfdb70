using System.Buffers.Binary;
using System.Text.Json;
using StreamLinq.State.Codecs;

namespace StreamLinq.Distributed;

/// <summary>
/// The bytes one map task sends one key partition: per shuffle input, a section written with the
/// state codecs (JSON): an array of its records, or the partial aggregates of a map-side combine
/// (<see cref="PartialAggregation"/>), framed as <c>[count] ([shuffle id] [length] [bytes])*</c>,
/// little-endian 32-bit integers. The same codecs write checkpoints, so every record type a
/// checkpoint takes (records, classes, anonymous types, tuples, collections) crosses silos, and
/// one that cannot is refused with the codec's reason.
/// </summary>
internal static class ShuffleFrames
{
    /// <summary>A section of records: the codec's array of them.</summary>
    public static Action<Utf8JsonWriter> Records(Array records) =>
        writer => StateCodecs.ArrayOf(records.GetType().GetElementType()!).WritePrefix(writer, records, records.Length);

    /// <summary>Reads a section <see cref="Records"/> wrote.</summary>
    public static Array ReadRecords(JsonElement section, Type elementType) => StateCodecs.ArrayOf(elementType).ReadArray(section);

    public static byte[] Write(IReadOnlyList<(int ShuffleId, Action<Utf8JsonWriter> Write)> sections)
    {
        if (sections.Count == 0)
        {
            return [];
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        BinaryPrimitives.WriteInt32LittleEndian(buffer.GetSpan(4), sections.Count);
        buffer.Advance(4);
        foreach (var (shuffleId, write) in sections)
        {
            var json = new System.Buffers.ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(json, StateCodecs.WriterOptions))
            {
                write(writer);
            }

            var header = buffer.GetSpan(8);
            BinaryPrimitives.WriteInt32LittleEndian(header, shuffleId);
            BinaryPrimitives.WriteInt32LittleEndian(header[4..], json.WrittenCount);
            buffer.Advance(8);
            System.Buffers.BuffersExtensions.Write(buffer, json.WrittenSpan);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads the sections of <paramref name="bytes"/>, each decoded by <paramref name="decode"/> (shuffle id, section) while its JSON is parsed.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a frame this writes.</exception>
    public static IEnumerable<(int ShuffleId, T Section)> Read<T>(byte[] bytes, Func<int, JsonElement, T> decode)
    {
        if (bytes.Length == 0)
        {
            yield break;
        }

        if (bytes.Length < 4)
        {
            throw new InvalidDataException($"A shuffle frame of {bytes.Length} bytes is cut short.");
        }

        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        var position = 4;
        for (var i = 0; i < count; i++)
        {
            if (position + 8 > bytes.Length)
            {
                throw new InvalidDataException($"Section {i} of a shuffle frame of {bytes.Length} bytes is cut short.");
            }

            var shuffleId = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(position));
            var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(position + 4));
            position += 8;
            if (length < 0 || position + length > bytes.Length)
            {
                throw new InvalidDataException($"Section {i} of a shuffle frame claims {length} bytes; {bytes.Length - position} are left.");
            }

            using var document = JsonDocument.Parse(bytes.AsMemory(position, length), StateCodecs.DocumentOptions);
            yield return (shuffleId, decode(shuffleId, document.RootElement));
            position += length;
        }
    }
}
