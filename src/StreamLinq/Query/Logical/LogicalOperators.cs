using System.Linq.Expressions;
using StreamLinq.Execution;
using StreamLinq.Sources;

namespace StreamLinq.Query.Logical;

/// <summary>An input stream: the records its source sealed for the batch.</summary>
internal sealed class SourceOperator(Expression tree, int inputId, IBatchSource source, Type elementType) : LogicalNode(tree, [])
{
    public override Type ElementType { get; } = elementType;

    public int InputId { get; } = inputId;

    public IBatchSource Source { get; } = source;

    public override string Operator => "Source";

    public override string Detail => $"{Source.Name}#{InputId}";
}

/// <summary>A chain of per-record operators: Where, Select, SelectMany and joins with static data, innermost first.</summary>
internal sealed class MapOperator(Expression tree, IReadOnlyList<MethodCallExpression> ops, LogicalNode input) : LogicalNode(tree, [input])
{
    public IReadOnlyList<MethodCallExpression> Ops { get; } = ops;

    public LogicalNode Input => Inputs[0];

    public override string Operator => "Map";

    public override string Detail => PlanText.Chain(Ops);
}

/// <summary>
/// <c>GroupBy(key).Select(g =&gt; ...)</c> whose result uses each group only through its key and
/// standard aggregates: an aggregation by key, per batch (or per window, over a window).
/// </summary>
internal sealed class GroupAggregateOperator(Expression tree, HashAggregatePlanner aggregation, LogicalNode input) : LogicalNode(tree, [input])
{
    public HashAggregatePlanner Aggregation { get; } = aggregation;

    public LogicalNode Input => Inputs[0];

    public override string Operator => "GroupAggregate";

    public override string Detail => Aggregation.Detail;

    public override string Key => PlanText.Of(Aggregation.Key);

    public override Exchange Exchange => Exchange.Hash(Key);
}

/// <summary>A stream's per-batch Count, Sum, Min, Max or Average: one record per batch.</summary>
internal sealed class AggregateOperator(Expression tree, BatchAggregatePlanner aggregation, LogicalNode input) : LogicalNode(tree, [input])
{
    public BatchAggregatePlanner Aggregation { get; } = aggregation;

    public LogicalNode Input => Inputs[0];

    public override string Operator => "Aggregate";

    public override string Detail => Aggregation.Detail;

    public override Exchange Exchange => Exchange.Gather("the partitions' partials");
}

/// <summary>A processing-time window over its input's batches.</summary>
internal sealed class WindowOperator(Expression tree, WindowSpec window, LogicalNode input) : LogicalNode(tree, [input])
{
    public WindowSpec Window { get; } = window;

    public LogicalNode Input => Inputs[0];

    public override string Operator => "Window";

    public override string Detail => Window.ToString();

    public override bool IsStateful => true;
}

/// <summary>Spark's reduceByWindow: one value per window, with an optional inverse function.</summary>
internal sealed class ReduceByWindowOperator(Expression tree, LambdaExpression func, LambdaExpression? inverse, WindowSpec window, LogicalNode input) : LogicalNode(tree, [input])
{
    public LambdaExpression Func { get; } = func;

    public LambdaExpression? Inverse { get; } = inverse;

    public WindowSpec Window { get; } = window;

    public LogicalNode Input => Inputs[0];

    public override string Operator => "ReduceByWindow";

    public override string Detail => $"{Window}; func: {PlanText.Of(Func)}" + (Inverse is null ? "" : $"; inverse: {PlanText.Of(Inverse)}");

    public override bool IsStateful => true;

    public override Exchange Exchange => Exchange.Gather("the partitions' partials");
}

/// <summary>Spark's reduceByKeyAndWindow over key-value pairs, with an optional inverse and filter.</summary>
internal sealed class ReduceByKeyAndWindowOperator(Expression tree, LambdaExpression func, LambdaExpression? inverse, LambdaExpression? filter, WindowSpec window, LogicalNode input) : LogicalNode(tree, [input])
{
    public LambdaExpression Func { get; } = func;

    public LambdaExpression? Inverse { get; } = inverse;

    public LambdaExpression? Filter { get; } = filter;

    public WindowSpec Window { get; } = window;

    public LogicalNode Input => Inputs[0];

    public override string Operator => "ReduceByKeyAndWindow";

    public override string Detail => $"{Window}; func: {PlanText.Of(Func)}" +
        (Inverse is null ? "" : $"; inverse: {PlanText.Of(Inverse)}") +
        (Filter is null ? "" : $"; filter: {PlanText.Of(Filter)}");

    public override string Key => "the pair's Key";

    public override bool IsStateful => true;

    public override Exchange Exchange => Exchange.Hash(Key);
}

/// <summary>Spark's updateStateByKey over key-value pairs.</summary>
internal sealed class UpdateStateByKeyOperator(Expression tree, LambdaExpression update, LogicalNode input) : LogicalNode(tree, [input])
{
    public LambdaExpression Update { get; } = update;

    public LogicalNode Input => Inputs[0];

    public override string Operator => "UpdateStateByKey";

    public override string Detail => $"update: {PlanText.Of(Update)}";

    public override string Key => "the pair's Key";

    public override bool IsStateful => true;

    public override Exchange Exchange => Exchange.Hash(Key);
}

/// <summary>Spark's mapWithState over key-value pairs, configured by a <see cref="StateSpec"/>.</summary>
internal sealed class MapWithStateOperator(Expression tree, Type[] types, object spec, string detail, LogicalNode input) : LogicalNode(tree, [input])
{
    /// <summary>The key, value, state and mapped types, as the call's generic arguments.</summary>
    public Type[] Types { get; } = types;

    /// <summary>The <see cref="StateSpec{TKey, TValue, TState, TMapped}"/>.</summary>
    public object Spec { get; } = spec;

    public LogicalNode Input => Inputs[0];

    public override string Operator => "MapWithState";

    public override string Detail { get; } = detail;

    public override string Key => "the pair's Key";

    public override bool IsStateful => true;

    public override Exchange Exchange => Exchange.Hash(Key);
}

/// <summary>Every key's state after the batch, read from the MapWithState below.</summary>
internal sealed class StateSnapshotsOperator(Expression tree, MapWithStateOperator mapWithState) : LogicalNode(tree, [mapWithState])
{
    public MapWithStateOperator MapWithState => (MapWithStateOperator)Inputs[0];

    public override string Operator => "StateSnapshots";

    public override string Detail => "every key's state after the batch";
}

/// <summary>Event-time windows per key (WithEventTime, then WindowByEventTime).</summary>
internal sealed class EventTimeWindowOperator(
    Expression tree,
    Type[] types,
    LambdaExpression eventTime,
    TimeSpan maxOutOfOrderness,
    LambdaExpression key,
    EventTimeWindows windows,
    TimeSpan allowedLateness,
    WindowOutputMode mode,
    LogicalNode input) : LogicalNode(tree, [input])
{
    /// <summary>The record and key types, as the call's generic arguments.</summary>
    public Type[] Types { get; } = types;

    public LambdaExpression EventTime { get; } = eventTime;

    public TimeSpan MaxOutOfOrderness { get; } = maxOutOfOrderness;

    public LambdaExpression KeySelector { get; } = key;

    public EventTimeWindows Windows { get; } = windows;

    public TimeSpan AllowedLateness { get; } = allowedLateness;

    public WindowOutputMode Mode { get; } = mode;

    public LogicalNode Input => Inputs[0];

    public override string Operator => "EventTimeWindow";

    public override string Detail =>
        $"event time: {PlanText.Of(EventTime)}, max out of order {MaxOutOfOrderness}; key: {PlanText.Of(KeySelector)}; {Windows}; allowed lateness {AllowedLateness}; {Mode}";

    public override string Key => PlanText.Of(KeySelector);

    public override bool IsStateful => true;

    public override Exchange Exchange => Exchange.Hash(Key);
}

/// <summary>The records no event-time window below admitted.</summary>
internal sealed class LateDataOperator(Expression tree, EventTimeWindowOperator windows) : LogicalNode(tree, [windows])
{
    public EventTimeWindowOperator Windows => (EventTimeWindowOperator)Inputs[0];

    public override string Operator => "LateData";

    public override string Detail => "records no event-time window admitted";
}

/// <summary>
/// A run of operators with no special form (joins of streams, set operations, sorting, per-batch
/// scalars, Transform, materialised groups), as the equivalent LINQ to Objects query over the
/// streams it reads (<see cref="EnumerableTranslator"/>).
/// </summary>
internal sealed class RelationalOperator(
    Expression tree,
    IReadOnlyList<LogicalNode> inputs,
    ParameterExpression inputsParameter,
    Expression query,
    string detail,
    IReadOnlyList<MethodCallExpression> calls) : LogicalNode(tree, inputs)
{
    private static readonly HashSet<string> ByRecord = ["Distinct", "Union", "Intersect", "Except", "CountByValue"];

    private static readonly HashSet<string> PerRecord = ["Concat", "Cast", "OfType", "DefaultIfEmpty"];

    /// <summary>The parameter of <see cref="Query"/> holding the input arrays, in <see cref="LogicalNode.Inputs"/> order.</summary>
    public ParameterExpression InputsParameter { get; } = inputsParameter;

    /// <summary>The LINQ to Objects query over <see cref="InputsParameter"/>.</summary>
    public Expression Query { get; } = query;

    /// <summary>The operator calls of the run, innermost first.</summary>
    public IReadOnlyList<MethodCallExpression> Calls { get; } = calls;

    public override string Operator => "Relational";

    public override string Detail { get; } = detail;

    public override string? Key => Calls.FirstOrDefault(IsKeyed) is { } keyed ? KeyOf(keyed) : null;

    /// <summary>
    /// A keyed operator (GroupBy, ReduceByKey, a join, a set operation) hashes by its key; one that
    /// needs the whole batch (ordering, Take, per-batch scalars, Transform) gathers it; a run of
    /// per-record operators needs nothing.
    /// </summary>
    public override Exchange Exchange =>
        Calls.Any(call => !IsKeyed(call) && !PerRecord.Contains(call.Method.Name)) ? Exchange.Gather("the whole batch")
        : Key is { } key ? Exchange.Hash(key)
        : Exchange.None;

    private static bool IsKeyed(MethodCallExpression call) =>
        call.Method.Name.Contains("Join", StringComparison.Ordinal) || call.Method.Name.StartsWith("GroupBy", StringComparison.Ordinal) ||
        call.Method.Name.StartsWith("ReduceByKey", StringComparison.Ordinal) || ByRecord.Contains(call.Method.Name);

    private static string KeyOf(MethodCallExpression call) =>
        call.Method.Name switch
        {
            _ when ByRecord.Contains(call.Method.Name) => "the whole record",
            _ when call.Method.Name.StartsWith("ReduceByKey", StringComparison.Ordinal) && call.Arguments.Count == 2 => "the pair's Key",
            _ when call.Method.Name.Contains("Join", StringComparison.Ordinal) && call.Arguments.Count >= 4 =>
                $"{Show(call.Arguments[2])} = {Show(call.Arguments[3])}",
            _ => call.Arguments.Count > 1 ? Show(call.Arguments[1]) : "the whole record",
        };

    private static string Show(Expression argument) =>
        PlanText.Of(argument is UnaryExpression { NodeType: ExpressionType.Quote } quote ? quote.Operand : argument);
}
