using System.Linq.Expressions;

namespace StreamLinq.DStreams;

/// <summary>The stream of a WithEventTime call.</summary>
internal sealed class EventTimeDStream<T>(StreamingContext context, Expression expression) : IEventTimeDStream<T>
{
    public StreamingContext Context { get; } = context;

    public Expression Expression { get; } = expression;

    public Type ElementType => typeof(T);

    public override string ToString() => Query.PlanText.Of(Expression);
}

/// <summary>The stream of a WindowByEventTime call, typed so that its late data can be asked for.</summary>
internal sealed class EventTimeWindowedDStream<TKey, T>(StreamingContext context, Expression expression) : IEventTimeWindowedDStream<TKey, T>
{
    public StreamingContext Context { get; } = context;

    public Expression Expression { get; } = expression;

    public Type ElementType => typeof(EventTimeWindow<TKey, T>);

    public override string ToString() => Query.PlanText.Of(Expression);
}
