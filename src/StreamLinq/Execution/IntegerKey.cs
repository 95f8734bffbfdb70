using System.Runtime.CompilerServices;

namespace StreamLinq.Execution;

/// <summary>
/// Whether a hash table's key type is an integer, whose equality is one comparison: a probe of
/// <see cref="GroupTable{TKey}"/>, <see cref="StaticJoinTable{TKey, TInner}"/> or
/// <see cref="JoinIndex{TKey}"/> then compares the keys without comparing their stored hashes
/// first. The hash is only a filter in front of a costly equality; for an integer it is one more
/// array, one more cache line per probe, to read.
/// </summary>
internal static class IntegerKey
{
    /// <summary>True for the integer types (a constant to the JIT for a value type, which drops the other branch).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Is<TKey>() =>
        typeof(TKey) == typeof(int) || typeof(TKey) == typeof(long) || typeof(TKey) == typeof(uint) || typeof(TKey) == typeof(ulong)
        || typeof(TKey) == typeof(short) || typeof(TKey) == typeof(ushort) || typeof(TKey) == typeof(byte) || typeof(TKey) == typeof(sbyte)
        || typeof(TKey) == typeof(char);
}
