using System.Linq.Expressions;

namespace StreamLinq.DStreams;

/// <summary>The stream of a MapWithState call, typed so that its state snapshots can be asked for.</summary>
internal sealed class MapWithStateDStream<TMapped, TKey, TState>(StreamingContext context, Expression expression) : IMapWithStateDStream<TMapped, TKey, TState>
{
    public StreamingContext Context { get; } = context;

    public Expression Expression { get; } = expression;

    public Type ElementType => typeof(TMapped);

    public override string ToString() => Query.PlanText.Of(Expression);
}
