using System.Linq.Expressions;
using System.Reflection;

namespace StreamLinq.Distributed;

/// <summary>
/// Splits a map task's output by key partition: by the hash of each record's key
/// (<see cref="StableHash"/>) where the operator after the shuffle is keyed, so that equal keys meet
/// on one reducer; each partition's records keep their order. Compiled once per shuffle input;
/// one delegate call per batch, one key selector call per record, no boxing.
/// </summary>
internal static class ShuffleRouting
{
    private static readonly MethodInfo RouteMethod = typeof(ShuffleRouting).GetMethod(nameof(Route), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>A router by <paramref name="key"/>, a lambda over the records.</summary>
    public static Func<Array, int, Array[]> ByKey(LambdaExpression key) =>
        (Func<Array, int, Array[]>)RouteMethod.MakeGenericMethod(key.Parameters[0].Type, key.ReturnType).Invoke(null, [key.Compile()])!;

    /// <summary>A router by the whole record (Distinct, set operations).</summary>
    public static Func<Array, int, Array[]> ByRecord(Type elementType)
    {
        var record = Expression.Parameter(elementType, "record");
        return ByKey(Expression.Lambda(record, record));
    }

    /// <summary>A router by a pair's <c>Key</c> (the keyed operators over <c>KeyValuePair</c> streams).</summary>
    public static Func<Array, int, Array[]> ByPairKey(Type pairType)
    {
        var pair = Expression.Parameter(pairType, "pair");
        return ByKey(Expression.Lambda(Expression.Property(pair, "Key"), pair));
    }

    private static Func<Array, int, Array[]> Route<T, TKey>(Func<T, TKey> key) => (records, partitions) =>
    {
        var typed = (T[])records;
        var targets = new int[typed.Length];
        var counts = new int[partitions];
        for (var i = 0; i < typed.Length; i++)
        {
            counts[targets[i] = StableHash.Partition(key(typed[i]), partitions)]++;
        }

        var split = new T[partitions][];
        for (var k = 0; k < partitions; k++)
        {
            split[k] = new T[counts[k]];
            counts[k] = 0;
        }

        for (var i = 0; i < typed.Length; i++)
        {
            split[targets[i]][counts[targets[i]]++] = typed[i];
        }

        return split;
    };
}
