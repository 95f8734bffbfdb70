using System.Linq.Expressions;

namespace StreamLinq;

public static partial class DStreamQueryable
{
    /// <summary>Counts the records of each batch (Spark's <c>count</c>).</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <param name="source">The stream to count.</param>
    /// <returns>A stream with exactly one record per batch, its count; 0 for an empty batch.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    public static IDStream<long> Count<TSource>(this IDStream<TSource> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Create<long>(source, new Func<IDStream<TSource>, IDStream<long>>(Count));
    }

    /// <summary>Folds the records of each batch, from a seed, in order.</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <typeparam name="TAccumulate">The type of the accumulator.</typeparam>
    /// <param name="source">The stream to fold.</param>
    /// <param name="seed">The accumulator's value at the start of every batch.</param>
    /// <param name="func">Adds one record to the accumulator.</param>
    /// <returns>A stream with exactly one record per batch, the fold's result; the seed for an empty batch.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IDStream<TAccumulate> Aggregate<TSource, TAccumulate>(
        this IDStream<TSource> source,
        TAccumulate seed,
        Expression<Func<TAccumulate, TSource, TAccumulate>> func)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(func);
        return Create<TAccumulate>(
            source,
            new Func<IDStream<TSource>, TAccumulate, Expression<Func<TAccumulate, TSource, TAccumulate>>, IDStream<TAccumulate>>(Aggregate),
            Expression.Constant(seed, typeof(TAccumulate)),
            Expression.Quote(func));
    }

    /// <summary>Combines the records of each batch pairwise (Spark's <c>reduce</c>).</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <param name="source">The stream to reduce.</param>
    /// <param name="func">
    /// Combines two values; applied left to right in record order, so it need not be commutative.
    /// </param>
    /// <returns>A stream with one record per non-empty batch, the reduction; nothing for an empty batch.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IDStream<TSource> Reduce<TSource>(this IDStream<TSource> source, Expression<Func<TSource, TSource, TSource>> func)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(func);
        return Create<TSource>(source, new Func<IDStream<TSource>, Expression<Func<TSource, TSource, TSource>>, IDStream<TSource>>(Reduce), Expression.Quote(func));
    }
}
