using System.Linq.Expressions;

namespace StreamLinq;

public static partial class DStreamQueryable
{
    /// <summary>
    /// Appends the other stream's batch of the same time to each batch: Spark's <c>union</c>,
    /// which keeps duplicates. For LINQ's set union use <see cref="Union{TSource}"/>.
    /// </summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <param name="first">This stream; its records come first in each batch.</param>
    /// <param name="second">The other stream, of the same context.</param>
    /// <returns>A stream of both streams' records.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The streams belong to different contexts.</exception>
    public static IDStream<TSource> Concat<TSource>(this IDStream<TSource> first, IDStream<TSource> second)
    {
        ArgumentNullException.ThrowIfNull(first);
        return Create<TSource>(first, new Func<IDStream<TSource>, IDStream<TSource>, IDStream<TSource>>(Concat), Other(first, second, nameof(second)));
    }

    /// <summary>
    /// The set union of each batch with the other stream's batch of the same time, as LINQ's
    /// <c>Union</c>: each distinct record once, in order of first appearance.
    /// </summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <param name="first">This stream.</param>
    /// <param name="second">The other stream, of the same context.</param>
    /// <returns>A stream of the distinct records of both streams.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The streams belong to different contexts.</exception>
    public static IDStream<TSource> Union<TSource>(this IDStream<TSource> first, IDStream<TSource> second)
    {
        ArgumentNullException.ThrowIfNull(first);
        return Create<TSource>(first, new Func<IDStream<TSource>, IDStream<TSource>, IDStream<TSource>>(Union), Other(first, second, nameof(second)));
    }
}
