using System.Linq.Expressions;
using System.Reflection;

namespace StreamLinq.Distributed;

/// <summary>
/// Which key partition each record of a map task's output goes to: by the hash of its key
/// (<see cref="StableHash"/>) where the operator after the shuffle is keyed, so that equal keys meet
/// on one reducer. Compiled once per shuffle input; one delegate call per batch, one key
/// selector call per record.
/// </summary>
internal static class ShuffleRouting
{
    private static readonly MethodInfo RouteMethod = typeof(ShuffleRouting).GetMethod(nameof(Route), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>A router by <paramref name="key"/>, a lambda over the records.</summary>
    public static Func<Array, int, int[]> ByKey(LambdaExpression key) =>
        (Func<Array, int, int[]>)RouteMethod.MakeGenericMethod(key.Parameters[0].Type, key.ReturnType).Invoke(null, [key.Compile()])!;

    /// <summary>A router by the whole record (Distinct, set operations).</summary>
    public static Func<Array, int, int[]> ByRecord(Type elementType)
    {
        var record = Expression.Parameter(elementType, "record");
        return ByKey(Expression.Lambda(record, record));
    }

    /// <summary>A router by a pair's <c>Key</c> (the keyed operators over <c>KeyValuePair</c> streams).</summary>
    public static Func<Array, int, int[]> ByPairKey(Type pairType)
    {
        var pair = Expression.Parameter(pairType, "pair");
        return ByKey(Expression.Lambda(Expression.Property(pair, "Key"), pair));
    }

    private static Func<Array, int, int[]> Route<T, TKey>(Func<T, TKey> key) => (records, partitions) =>
    {
        var typed = (T[])records;
        var result = new int[typed.Length];
        for (var i = 0; i < typed.Length; i++)
        {
            result[i] = StableHash.Partition(key(typed[i]), partitions);
        }

        return result;
    };
}
