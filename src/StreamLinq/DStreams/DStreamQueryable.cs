using System.Collections.Immutable;
using System.Linq.Expressions;
using System.Reflection;
using StreamLinq.DStreams;
using StreamLinq.Query;

namespace StreamLinq;

/// <summary>
/// The LINQ operators over <see cref="IDStream{T}"/>. Each one records itself in the stream's
/// expression tree, as <see cref="Queryable"/> does; nothing runs until the context starts
/// and an output operation (<see cref="DStreamOutput"/>) asks for the stream.
/// </summary>
/// <remarks>
/// Unless an operator says otherwise it works per batch: its result for batch <c>T</c> depends
/// only on the records of batch <c>T</c>, it keeps no state across batches, and a replayed
/// batch gives the same result.
/// </remarks>
public static partial class DStreamQueryable
{
    /// <summary>
    /// Describes the plan the stream compiles to: its logical plan, one line per operator the
    /// query states (its key, whether it keeps state across batches), with the physical choice
    /// beside each after <c>⇒</c> (which operators were fused into one compiled loop, which became
    /// a hash aggregation, which run through LINQ to Objects), and a <c>═ shuffle</c> line at
    /// each shuffle boundary, where cluster mode will cut the plan into stages.
    /// </summary>
    /// <remarks>
    /// Display only, and built as <c>StartAsync</c> builds the plan (the query's lambdas are
    /// compiled, a <c>Transform</c> function is called over a placeholder). The text may change
    /// between versions; state ids and the checkpoint's query fingerprint never depend on it.
    /// </remarks>
    /// <typeparam name="T">The type of the stream's records.</typeparam>
    /// <param name="source">The stream to explain.</param>
    /// <returns>A readable, indented plan tree.</returns>
    public static string Explain<T>(this IDStream<T> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new PlanBuilder().Explain(source.Expression);
    }

    private static IDStream<TResult> Create<TResult>(IDStream source, Delegate op, params Expression[] arguments) =>
        new DStream<TResult>(source.Context, Expression.Call(null, op.Method, [source.Expression, .. arguments]));

    private static IOrderedDStream<TResult> CreateOrdered<TResult>(IDStream source, Delegate op, params Expression[] arguments) =>
        new OrderedDStream<TResult>(source.Context, Expression.Call(null, op.Method, [source.Expression, .. arguments]));

    private static Expression Other<T>(IDStream source, IDStream<T> other, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(other, parameterName);
        if (!ReferenceEquals(source.Context, other.Context))
        {
            throw new ArgumentException("Both streams must belong to the same StreamingContext.", parameterName);
        }

        return other.Expression;
    }

    private static Expression Static<T>(IEnumerable<T> data, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(data, parameterName);
        if (data is ImmutableArray<T> { IsDefault: true })
        {
            throw new ArgumentException($"The static data is a default ImmutableArray<{typeof(T).Name}>, which holds no array: give ImmutableArray<{typeof(T).Name}>.Empty or an initialised one.", parameterName);
        }

        return Expression.Constant(data, typeof(IEnumerable<T>));
    }

    internal static MethodInfo MethodOf(Delegate op) => op.Method;
}
