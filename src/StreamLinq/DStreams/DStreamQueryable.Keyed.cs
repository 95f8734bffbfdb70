using System.Linq.Expressions;
using StreamLinq.Query;

namespace StreamLinq;

public static partial class DStreamQueryable
{
    /// <summary>Combines the values of each key in each batch (Spark's <c>reduceByKey</c>).</summary>
    /// <typeparam name="TKey">The type of the keys.</typeparam>
    /// <typeparam name="TValue">The type of the values.</typeparam>
    /// <param name="source">A stream of key/value pairs.</param>
    /// <param name="func">An associative combination of two values of one key.</param>
    /// <returns>
    /// A stream whose batch holds one pair per key present in the batch, its values combined in
    /// record order; keys in order of first appearance (as LINQ's <c>GroupBy</c>), a null key as any other.
    /// </returns>
    /// <remarks>
    /// Per batch, no state; a replayed batch gives the same result. In cluster mode each executor
    /// first reduces its partition's values per key (map-side combine), relying on
    /// <paramref name="func"/> being associative; values still meet in record order.
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IDStream<KeyValuePair<TKey, TValue>> ReduceByKey<TKey, TValue>(
        this IDStream<KeyValuePair<TKey, TValue>> source,
        Expression<Func<TValue, TValue, TValue>> func)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(func);
        return Create<KeyValuePair<TKey, TValue>>(
            source,
            new Func<IDStream<KeyValuePair<TKey, TValue>>, Expression<Func<TValue, TValue, TValue>>, IDStream<KeyValuePair<TKey, TValue>>>(ReduceByKey),
            Expression.Quote(func));
    }

    /// <summary>
    /// Combines the values of each key in each batch, the key and the value read from records of
    /// any type (Spark's <c>map(x =&gt; (k, v)).reduceByKey</c>, without the tuple literal an expression tree forbids).
    /// </summary>
    /// <typeparam name="TSource">The type of the records: a record, a class, an anonymous type.</typeparam>
    /// <typeparam name="TKey">The type of the keys.</typeparam>
    /// <typeparam name="TValue">The type of the values.</typeparam>
    /// <param name="source">The stream.</param>
    /// <param name="keySelector">The key of a record.</param>
    /// <param name="valueSelector">The value of a record.</param>
    /// <param name="func">An associative combination of two values of one key.</param>
    /// <returns>As the key/value pair form: one pair per key present in the batch.</returns>
    /// <remarks>
    /// Per batch, no state. The same as <c>Select(x =&gt; new KeyValuePair&lt;TKey, TValue&gt;(keySelector(x), valueSelector(x))).ReduceByKey(func)</c>,
    /// which is how it is planned (the projection is fused into the loop below).
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IDStream<KeyValuePair<TKey, TValue>> ReduceByKey<TSource, TKey, TValue>(
        this IDStream<TSource> source,
        Expression<Func<TSource, TKey>> keySelector,
        Expression<Func<TSource, TValue>> valueSelector,
        Expression<Func<TValue, TValue, TValue>> func)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Select(Pair(keySelector, valueSelector)).ReduceByKey(func);
    }

    /// <summary>
    /// <c>x =&gt; new KeyValuePair&lt;TKey, TValue&gt;(key(x), value(x))</c>: the pair of a record, the
    /// two selectors inlined over one parameter so that the projection fuses like any Select.
    /// </summary>
    private static Expression<Func<TSource, KeyValuePair<TKey, TValue>>> Pair<TSource, TKey, TValue>(
        Expression<Func<TSource, TKey>> keySelector,
        Expression<Func<TSource, TValue>> valueSelector)
    {
        ArgumentNullException.ThrowIfNull(keySelector);
        ArgumentNullException.ThrowIfNull(valueSelector);
        var record = keySelector.Parameters[0];
        var constructor = typeof(KeyValuePair<TKey, TValue>).GetConstructor([typeof(TKey), typeof(TValue)])!;
        return Expression.Lambda<Func<TSource, KeyValuePair<TKey, TValue>>>(
            Expression.New(constructor, keySelector.Body, ParameterReplacer.Inline(valueSelector, record)),
            record);
    }
}
