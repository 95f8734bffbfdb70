using System.Buffers.Binary;
using System.Text.Json;
using StreamLinq.State.Codecs;

namespace StreamLinq.Distributed;

/// <summary>
/// The bytes one map task sends one key partition: per shuffle input, its records as the state
/// codecs write an array of them (JSON), framed as <c>[count] ([shuffle id] [length] [bytes])*</c>,
/// little-endian 32-bit integers. The same codecs write checkpoints, so every record type a
/// checkpoint takes (records, classes, anonymous types, tuples, collections) crosses silos, and
/// one that cannot is refused with the codec's reason.
/// </summary>
internal static class ShuffleFrames
{
    public static byte[] Write(IReadOnlyList<(int ShuffleId, Array Records)> sections)
    {
        if (sections.Count == 0)
        {
            return [];
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        BinaryPrimitives.WriteInt32LittleEndian(buffer.GetSpan(4), sections.Count);
        buffer.Advance(4);
        foreach (var (shuffleId, records) in sections)
        {
            var json = new System.Buffers.ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(json, StateCodecs.WriterOptions))
            {
                StateCodecs.ArrayOf(records.GetType().GetElementType()!).WritePrefix(writer, records, records.Length);
            }

            var header = buffer.GetSpan(8);
            BinaryPrimitives.WriteInt32LittleEndian(header, shuffleId);
            BinaryPrimitives.WriteInt32LittleEndian(header[4..], json.WrittenCount);
            buffer.Advance(8);
            System.Buffers.BuffersExtensions.Write(buffer, json.WrittenSpan);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads the sections of <paramref name="bytes"/>, decoding each with <paramref name="elementType"/>'s codec.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a frame this writes.</exception>
    public static IEnumerable<(int ShuffleId, Array Records)> Read(byte[] bytes, Func<int, Type> elementType)
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
            yield return (shuffleId, StateCodecs.ArrayOf(elementType(shuffleId)).ReadArray(document.RootElement));
            position += length;
        }
    }
}
