using System.Linq.Expressions;

namespace StreamLinq;

public static partial class DStreamQueryable
{
    /// <summary>
    /// Applies any batch query to each batch: the function receives the batch as an
    /// <see cref="IQueryable{T}"/> (LINQ to Objects over the batch's records), so the same query
    /// text that runs over a static collection runs over the stream.
    /// </summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <typeparam name="TResult">The type of the query's results.</typeparam>
    /// <param name="source">The stream.</param>
    /// <param name="transform">The batch query; called once per batch.</param>
    /// <returns>A stream of each batch's query results.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IDStream<TResult> Transform<TSource, TResult>(this IDStream<TSource> source, Func<IQueryable<TSource>, IQueryable<TResult>> transform)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(transform);
        return Create<TResult>(
            source,
            new Func<IDStream<TSource>, Func<IQueryable<TSource>, IQueryable<TResult>>, IDStream<TResult>>(Transform),
            Expression.Constant(transform));
    }
}
