using System.Text.Json;
using StreamLinq.State.Codecs;

namespace StreamLinq.Distributed;

/// <summary>
/// A key's hash that every process computes alike, so that executors on different machines send
/// equal keys to the same reducer: <see cref="object.GetHashCode"/> is randomised per process for
/// strings and unspecified for most types. Common key types are hashed from their value; any
/// other from its state codec's bytes (the same encoding records cross silos in), so keys are
/// equal for the hash when their fields are, as records' and anonymous types' equality says.
/// </summary>
internal static class StableHash
{
    private const ulong Offset = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    public static int Partition<TKey>(TKey key, int partitions) => (int)(Of(key) % (ulong)partitions);

    public static ulong Of<TKey>(TKey key)
    {
        switch (key)
        {
            case null:
                return 0;
            case string text:
                var hash = Offset;
                foreach (var c in text)
                {
                    hash = (hash ^ c) * Prime;
                }

                return Mix(hash);
            case int value:
                return Mix((ulong)value);
            case long value:
                return Mix((ulong)value);
            case bool value:
                return value ? 1UL : 2UL;
            case char value:
                return Mix(value);
            case short value:
                return Mix((ulong)value);
            case uint value:
                return Mix(value);
            case ulong value:
                return Mix(value);
            case Guid value:
                return Bytes(value.ToByteArray());
            case double value:
                // 0.0 and -0.0 are equal keys.
                return Mix(value == 0 ? 0UL : (ulong)BitConverter.DoubleToInt64Bits(value));
            default:
                return Bytes(Encode(key));
        }
    }

    private static byte[] Encode<TKey>(TKey key)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, StateCodecs.WriterOptions))
        {
            StateCodecs.For(key!.GetType()).WriteBoxed(writer, key);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static ulong Bytes(ReadOnlySpan<byte> bytes)
    {
        var hash = Offset;
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * Prime;
        }

        return Mix(hash);
    }

    // The finaliser of SplitMix64: consecutive integers spread over all partitions.
    private static ulong Mix(ulong value)
    {
        value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9UL;
        value = (value ^ (value >> 27)) * 0x94d049bb133111ebUL;
        return value ^ (value >> 31);
    }
}
