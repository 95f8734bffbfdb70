using System.Linq.Expressions;

namespace StreamLinq;

public static partial class DStreamQueryable
{
    /// <summary>Sorts the records of each batch by a key, ascending; the sort is stable.</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <typeparam name="TKey">The type of the sort key.</typeparam>
    /// <param name="source">The stream to sort.</param>
    /// <param name="keySelector">Extracts a record's sort key.</param>
    /// <returns>A stream whose batches are sorted; more keys can follow with ThenBy.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IOrderedDStream<TSource> OrderBy<TSource, TKey>(this IDStream<TSource> source, Expression<Func<TSource, TKey>> keySelector)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(keySelector);
        return CreateOrdered<TSource>(source, new Func<IDStream<TSource>, Expression<Func<TSource, TKey>>, IOrderedDStream<TSource>>(OrderBy), Expression.Quote(keySelector));
    }

    /// <summary>Sorts the records of each batch by a key, descending; the sort is stable.</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <typeparam name="TKey">The type of the sort key.</typeparam>
    /// <param name="source">The stream to sort.</param>
    /// <param name="keySelector">Extracts a record's sort key.</param>
    /// <returns>A stream whose batches are sorted; more keys can follow with ThenBy.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IOrderedDStream<TSource> OrderByDescending<TSource, TKey>(this IDStream<TSource> source, Expression<Func<TSource, TKey>> keySelector)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(keySelector);
        return CreateOrdered<TSource>(source, new Func<IDStream<TSource>, Expression<Func<TSource, TKey>>, IOrderedDStream<TSource>>(OrderByDescending), Expression.Quote(keySelector));
    }

    /// <summary>Adds an ascending secondary sort key.</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <typeparam name="TKey">The type of the sort key.</typeparam>
    /// <param name="source">A sorted stream.</param>
    /// <param name="keySelector">Extracts a record's secondary sort key.</param>
    /// <returns>A stream whose batches are sorted by both keys.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IOrderedDStream<TSource> ThenBy<TSource, TKey>(this IOrderedDStream<TSource> source, Expression<Func<TSource, TKey>> keySelector)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(keySelector);
        return CreateOrdered<TSource>(source, new Func<IOrderedDStream<TSource>, Expression<Func<TSource, TKey>>, IOrderedDStream<TSource>>(ThenBy), Expression.Quote(keySelector));
    }

    /// <summary>Adds a descending secondary sort key.</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <typeparam name="TKey">The type of the sort key.</typeparam>
    /// <param name="source">A sorted stream.</param>
    /// <param name="keySelector">Extracts a record's secondary sort key.</param>
    /// <returns>A stream whose batches are sorted by both keys.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IOrderedDStream<TSource> ThenByDescending<TSource, TKey>(this IOrderedDStream<TSource> source, Expression<Func<TSource, TKey>> keySelector)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(keySelector);
        return CreateOrdered<TSource>(source, new Func<IOrderedDStream<TSource>, Expression<Func<TSource, TKey>>, IOrderedDStream<TSource>>(ThenByDescending), Expression.Quote(keySelector));
    }

    /// <summary>Keeps the first <paramref name="count"/> records of each batch.</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <param name="source">The stream, usually sorted first.</param>
    /// <param name="count">How many records to keep per batch; zero or less keeps none.</param>
    /// <returns>A stream of at most <paramref name="count"/> records per batch.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    public static IDStream<TSource> Take<TSource>(this IDStream<TSource> source, int count)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Create<TSource>(source, new Func<IDStream<TSource>, int, IDStream<TSource>>(Take), Expression.Constant(count));
    }
}
