using System.Linq.Expressions;

namespace StreamLinq.DStreams;

/// <summary>The one implementation of <see cref="IDStream{T}"/>: a context and an expression.</summary>
internal sealed class DStream<T>(StreamingContext context, Expression expression) : IOrderedDStream<T>
{
    public StreamingContext Context { get; } = context;

    public Expression Expression { get; } = expression;

    public Type ElementType => typeof(T);

    public override string ToString() => Query.PlanText.Of(Expression);
}
