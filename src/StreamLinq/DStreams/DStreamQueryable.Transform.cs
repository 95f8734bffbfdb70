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
    /// <param name="transform">
    /// The batch query, built from its argument: e.g. <c>q =&gt; q.Where(...).GroupBy(...).Select(...)</c>.
    /// Called once per batch.
    /// </param>
    /// <returns>A stream of each batch's query results.</returns>
    /// <remarks>
    /// <para>Per batch, no state; a replayed batch calls the function again. The function is called
    /// when the plan is built (at start and by <c>Explain</c>) and once per batch, over a placeholder
    /// queryable: that builds the query's tree without running it. The tree is rewritten into LINQ to
    /// Objects and compiled once, like the stream's own operators; each batch runs the compiled query
    /// as long as the function builds the same query (the same operators, members, methods and
    /// constant values). When it builds another one (it decided on a clock, a counter, a value it
    /// copied), the new query is compiled, so a batch always gets the query the function built for it.</para>
    /// <para>When the function's query cannot be captured (it enumerates the batch, returns null or
    /// a query that does not start from the batch, or uses the batch inside a lambda or outside a
    /// query operator), it is called over each batch's records instead, as LINQ's
    /// <see cref="EnumerableQuery{T}"/> runs it, which compiles the query at every batch: correct, but
    /// tens of times slower on small batches. <c>Explain</c> says which of the two was chosen, and why.</para>
    /// </remarks>
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
