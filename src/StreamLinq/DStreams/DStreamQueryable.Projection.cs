using System.Linq.Expressions;

namespace StreamLinq;

public static partial class DStreamQueryable
{
    /// <summary>Projects each record of each batch into a new form.</summary>
    /// <typeparam name="TSource">The type of the source records.</typeparam>
    /// <typeparam name="TResult">The type of the projected records.</typeparam>
    /// <param name="source">The stream to project.</param>
    /// <param name="selector">The projection, inlined into the batch's compiled loop.</param>
    /// <returns>A stream of the projected records, one per source record, in order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="selector"/> is null.</exception>
    public static IDStream<TResult> Select<TSource, TResult>(this IDStream<TSource> source, Expression<Func<TSource, TResult>> selector)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(selector);
        return Create<TResult>(source, new Func<IDStream<TSource>, Expression<Func<TSource, TResult>>, IDStream<TResult>>(Select), Expression.Quote(selector));
    }

    /// <summary>Keeps the records of each batch that satisfy a predicate.</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <param name="source">The stream to filter.</param>
    /// <param name="predicate">The test, inlined into the batch's compiled loop.</param>
    /// <returns>A stream of the records for which <paramref name="predicate"/> is true, in order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="predicate"/> is null.</exception>
    public static IDStream<TSource> Where<TSource>(this IDStream<TSource> source, Expression<Func<TSource, bool>> predicate)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(predicate);
        return Create<TSource>(source, new Func<IDStream<TSource>, Expression<Func<TSource, bool>>, IDStream<TSource>>(Where), Expression.Quote(predicate));
    }

    /// <summary>Projects each record to a sequence and flattens the sequences (Spark's flatMap).</summary>
    /// <typeparam name="TSource">The type of the source records.</typeparam>
    /// <typeparam name="TResult">The type of the flattened records.</typeparam>
    /// <param name="source">The stream to flatten.</param>
    /// <param name="selector">The record-to-sequence projection, inlined into the batch's compiled loop.</param>
    /// <returns>A stream of every element of every projected sequence, in order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="selector"/> is null.</exception>
    public static IDStream<TResult> SelectMany<TSource, TResult>(this IDStream<TSource> source, Expression<Func<TSource, IEnumerable<TResult>>> selector)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(selector);
        return Create<TResult>(source, new Func<IDStream<TSource>, Expression<Func<TSource, IEnumerable<TResult>>>, IDStream<TResult>>(SelectMany), Expression.Quote(selector));
    }

    /// <summary>
    /// Projects each record to a sequence, flattens it and combines each element with its record;
    /// the form that query syntax with two <c>from</c> clauses produces.
    /// </summary>
    /// <typeparam name="TSource">The type of the source records.</typeparam>
    /// <typeparam name="TCollection">The type of the intermediate elements.</typeparam>
    /// <typeparam name="TResult">The type of the result records.</typeparam>
    /// <param name="source">The stream to flatten.</param>
    /// <param name="collectionSelector">The record-to-sequence projection.</param>
    /// <param name="resultSelector">Combines a record with each element of its sequence.</param>
    /// <returns>A stream of the combined records, in order.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IDStream<TResult> SelectMany<TSource, TCollection, TResult>(
        this IDStream<TSource> source,
        Expression<Func<TSource, IEnumerable<TCollection>>> collectionSelector,
        Expression<Func<TSource, TCollection, TResult>> resultSelector)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(collectionSelector);
        ArgumentNullException.ThrowIfNull(resultSelector);
        return Create<TResult>(
            source,
            new Func<IDStream<TSource>, Expression<Func<TSource, IEnumerable<TCollection>>>, Expression<Func<TSource, TCollection, TResult>>, IDStream<TResult>>(SelectMany),
            Expression.Quote(collectionSelector),
            Expression.Quote(resultSelector));
    }
}
