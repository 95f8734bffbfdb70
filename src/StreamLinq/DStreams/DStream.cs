using System.Linq.Expressions;

namespace StreamLinq.DStreams;

/// <summary>The implementation of <see cref="IDStream{T}"/> for operator results: a context and an expression.</summary>
internal class DStream<T>(StreamingContext context, Expression expression) : IDStream<T>
{
    public StreamingContext Context { get; } = context;

    public Expression Expression { get; } = expression;

    public Type ElementType => typeof(T);

    public override string ToString() => Query.PlanText.Of(Expression);
}

/// <summary>
/// The result of OrderBy, OrderByDescending, ThenBy or ThenByDescending: the only streams that are
/// <see cref="IOrderedDStream{T}"/>, so only they can take a further sort key.
/// </summary>
internal sealed class OrderedDStream<T>(StreamingContext context, Expression expression) : DStream<T>(context, expression), IOrderedDStream<T>;
