using System.Linq.Expressions;

namespace StreamLinq;

public static partial class DStreamQueryable
{
    /// <summary>Groups the records of each batch by key.</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <typeparam name="TKey">The type of the key.</typeparam>
    /// <param name="source">The stream to group.</param>
    /// <param name="keySelector">Extracts a record's key.</param>
    /// <returns>A stream of one group per distinct key in each batch, in order of first appearance.</returns>
    /// <remarks>
    /// Followed by a <c>Select</c> that uses only the key and standard aggregates of the group
    /// (Count, LongCount, Sum, Min, Max, Average), the pair compiles to one single-pass hash
    /// aggregation with partial aggregates per partition; otherwise the groups are materialised.
    /// Integer sums then accumulate in a wider type and fail with an <see cref="OverflowException"/>
    /// only when a group's true sum does not fit; floating-point sums and averages have the
    /// guarantee stated on <see cref="Sum(IDStream{double})"/> (the same bits whatever the degree
    /// of parallelism, LINQ's bits when the batch is one chunk).
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IDStream<IGrouping<TKey, TSource>> GroupBy<TSource, TKey>(this IDStream<TSource> source, Expression<Func<TSource, TKey>> keySelector)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(keySelector);
        return Create<IGrouping<TKey, TSource>>(source, new Func<IDStream<TSource>, Expression<Func<TSource, TKey>>, IDStream<IGrouping<TKey, TSource>>>(GroupBy), Expression.Quote(keySelector));
    }

    /// <summary>Groups a projection of the records of each batch by key.</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <typeparam name="TKey">The type of the key.</typeparam>
    /// <typeparam name="TElement">The type of the grouped elements.</typeparam>
    /// <param name="source">The stream to group.</param>
    /// <param name="keySelector">Extracts a record's key.</param>
    /// <param name="elementSelector">Projects a record to the element placed in its group.</param>
    /// <returns>A stream of one group per distinct key in each batch, in order of first appearance.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IDStream<IGrouping<TKey, TElement>> GroupBy<TSource, TKey, TElement>(
        this IDStream<TSource> source,
        Expression<Func<TSource, TKey>> keySelector,
        Expression<Func<TSource, TElement>> elementSelector)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(keySelector);
        ArgumentNullException.ThrowIfNull(elementSelector);
        return Create<IGrouping<TKey, TElement>>(
            source,
            new Func<IDStream<TSource>, Expression<Func<TSource, TKey>>, Expression<Func<TSource, TElement>>, IDStream<IGrouping<TKey, TElement>>>(GroupBy),
            Expression.Quote(keySelector),
            Expression.Quote(elementSelector));
    }

    /// <summary>Groups the records of each batch by key and computes one result per group.</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <typeparam name="TKey">The type of the key.</typeparam>
    /// <typeparam name="TResult">The type of the per-group result.</typeparam>
    /// <param name="source">The stream to group.</param>
    /// <param name="keySelector">Extracts a record's key.</param>
    /// <param name="resultSelector">Computes a group's result from its key and records.</param>
    /// <returns>A stream of one result per distinct key in each batch.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IDStream<TResult> GroupBy<TSource, TKey, TResult>(
        this IDStream<TSource> source,
        Expression<Func<TSource, TKey>> keySelector,
        Expression<Func<TKey, IEnumerable<TSource>, TResult>> resultSelector)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(keySelector);
        ArgumentNullException.ThrowIfNull(resultSelector);
        return Create<TResult>(
            source,
            new Func<IDStream<TSource>, Expression<Func<TSource, TKey>>, Expression<Func<TKey, IEnumerable<TSource>, TResult>>, IDStream<TResult>>(GroupBy),
            Expression.Quote(keySelector),
            Expression.Quote(resultSelector));
    }

    /// <summary>Groups a projection of the records of each batch by key and computes one result per group.</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <typeparam name="TKey">The type of the key.</typeparam>
    /// <typeparam name="TElement">The type of the grouped elements.</typeparam>
    /// <typeparam name="TResult">The type of the per-group result.</typeparam>
    /// <param name="source">The stream to group.</param>
    /// <param name="keySelector">Extracts a record's key.</param>
    /// <param name="elementSelector">Projects a record to the element placed in its group.</param>
    /// <param name="resultSelector">Computes a group's result from its key and elements.</param>
    /// <returns>A stream of one result per distinct key in each batch.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IDStream<TResult> GroupBy<TSource, TKey, TElement, TResult>(
        this IDStream<TSource> source,
        Expression<Func<TSource, TKey>> keySelector,
        Expression<Func<TSource, TElement>> elementSelector,
        Expression<Func<TKey, IEnumerable<TElement>, TResult>> resultSelector)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(keySelector);
        ArgumentNullException.ThrowIfNull(elementSelector);
        ArgumentNullException.ThrowIfNull(resultSelector);
        return Create<TResult>(
            source,
            new Func<IDStream<TSource>, Expression<Func<TSource, TKey>>, Expression<Func<TSource, TElement>>, Expression<Func<TKey, IEnumerable<TElement>, TResult>>, IDStream<TResult>>(GroupBy),
            Expression.Quote(keySelector),
            Expression.Quote(elementSelector),
            Expression.Quote(resultSelector));
    }

    /// <summary>Counts how often each distinct record occurs in each batch (Spark's countByValue).</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <param name="source">The stream to count.</param>
    /// <returns>A stream of (value, count) pairs, one per distinct record in each batch.</returns>
    /// <remarks>Compiles to the same hash aggregation as <c>GroupBy(x =&gt; x).Select(g =&gt; (g.Key, g.LongCount()))</c>.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    public static IDStream<KeyValuePair<TSource, long>> CountByValue<TSource>(this IDStream<TSource> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.GroupBy(x => x).Select(g => new KeyValuePair<TSource, long>(g.Key, g.LongCount()));
    }

    /// <summary>Removes duplicate records within each batch.</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <param name="source">The stream to deduplicate.</param>
    /// <returns>A stream of each batch's distinct records, in order of first appearance.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    public static IDStream<TSource> Distinct<TSource>(this IDStream<TSource> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Create<TSource>(source, new Func<IDStream<TSource>, IDStream<TSource>>(Distinct));
    }
}
