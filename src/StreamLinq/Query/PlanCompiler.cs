using System.Linq.Expressions;
using System.Reflection;
using StreamLinq.Execution;
using StreamLinq.Query.Logical;
using StreamLinq.Sources;
using StreamLinq.State;
using static StreamLinq.Query.ExpressionShapes;

namespace StreamLinq.Query;

/// <summary>
/// Turns a logical plan into physical nodes, once, when the context starts: a Map becomes a fused
/// loop, or is compiled into the loop of the operator above it (an aggregate, a Distinct/Union, a
/// top k), as is the probe of a join of two streams right below an aggregate's chain; a
/// GroupAggregate becomes a hash aggregation (a windowed one over a window, which then keeps
/// partials rather than records); an Aggregate becomes a batch aggregate (a running count over a window); a Relational run becomes
/// a compiled form when it has one (a hash join of two streams, a hash-set Distinct/Union, a
/// Concat, a bounded-heap top k) and a LINQ to Objects query otherwise. Every delegate a physical node runs is built and compiled here
/// (expression trees from <see cref="FusedLoopBuilder"/>, <see cref="HashAggregatePlanner"/>,
/// <see cref="BatchAggregatePlanner"/>), so <c>Execution</c> runs code and never plans. A logical
/// node shared by several outputs becomes one physical node.
/// </summary>
/// <remarks>
/// Each physical kind has one generic method here that calls its constructor directly, so the
/// arguments are checked by the C# compiler; the only reflective step is choosing the method's
/// type arguments from the plan's element types (<see cref="Generic"/>), and a failure inside it
/// surfaces as itself, not wrapped.
/// </remarks>
internal sealed partial class PlanCompiler
{
    private readonly Dictionary<LogicalNode, PlanNode> _compiled = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<LogicalNode, string> _choices = new(ReferenceEqualityComparer.Instance);

    public ExecutionPlan Compile(LogicalPlan plan)
    {
        var compiled = new ExecutionPlan(plan.Outputs.Select(output => (output.Output, Compile(output.Root))).ToList());
        var named = new Dictionary<string, PlanNode>(StringComparer.Ordinal);
        foreach (var node in plan.Outputs.SelectMany(o => LogicalPlan.Nodes(o.Root)).Distinct(ReferenceEqualityComparer.Instance).Cast<LogicalNode>().Where(n => n.Name is not null))
        {
            var physical = _compiled.GetValueOrDefault(node);
            if (physical?.StateName != node.Name)
            {
                if (node.NamedByOutput)
                {
                    continue;
                }

                throw new NotSupportedException(physical is null
                    ? $"Named(\"{node.Name}\") names {node.Operator} [{node.Detail}], which the operator above computes inside its own state ({ChoiceFor(node)}): name that operator instead."
                    : $"Named(\"{node.Name}\") follows {node.Operator} [{node.Detail}], which keeps no state: name a stateful operator (a window, a windowed reduce or aggregation, UpdateStateByKey, MapWithState, an event-time window), or the stream right before an output.");
            }

            if (named.TryGetValue(node.Name!, out var other) && !ReferenceEquals(other, physical))
            {
                throw new NotSupportedException($"Two operators are named \"{node.Name}\": {other!.Description} and {physical!.Description}. A name identifies one operator's state.");
            }

            named[node.Name!] = physical!;
        }

        return compiled;
    }

    public PlanNode Compile(LogicalNode node)
    {
        if (_compiled.TryGetValue(node, out var existing))
        {
            return existing;
        }

        var physical = Translate(node);
        if (physical is IStatefulOperator)
        {
            // The id comes from the structure of the tree the operator was planned from, never from its rendering.
            physical.StructuralHash ??= CanonicalForm.Hash(node.Tree);
            physical.StateName ??= node.Name;
        }

        _compiled[node] = physical;
        _choices.TryAdd(node, physical.Strategy is { } strategy ? $"{physical.Kind}: {strategy}" : physical.Kind);
        return physical;
    }

    /// <summary>
    /// The physical choice made for <paramref name="node"/>, as <c>Explain</c> shows it beside the
    /// node: a node kind and how it runs, or what absorbed it.
    /// </summary>
    public string ChoiceFor(LogicalNode node) => _choices.GetValueOrDefault(node) ?? "not compiled";

    private PlanNode Translate(LogicalNode node)
    {
        switch (node)
        {
            case SourceOperator source:
                return new SourceNode(source.InputId, source.Source, source.ElementType);
            case MapOperator map:
                return Generic(nameof(Fused), [map.Input.ElementType, map.ElementType], map);
            case GroupAggregateOperator aggregate:
                var aggregation = aggregate.Aggregation;
                // Absorbed only when the query's own Window call is below the chain: a window
                // reached through WithEventTime plans as the same logical node but stays materialised.
                QueryPlanner.StatelessChain(aggregation.Source, out var belowChain);
                var (_, below) = Prefix(aggregate.Input, absorb: false);
                return IsOperator(belowChain, "Window", out _) && below is WindowOperator aggregatedWindow
                    ? Generic(nameof(WindowedGroupAggregate), [aggregatedWindow.Input.ElementType, aggregation.KeyType, aggregation.ResultType], aggregate)
                    : Generic(nameof(GroupAggregate), [LoopInput(aggregate.Input, absorb: false).Below.ElementType, aggregation.KeyType, aggregation.ResultType], aggregate);
            case AggregateOperator aggregate when aggregate.Aggregation.Call.Method.Name == "Count"
                && IsOperator(aggregate.Aggregation.Source, "Window", out _) && aggregate.Input is WindowOperator counted:
                return WindowedCount(aggregate, counted);
            case AggregateOperator aggregate:
                var (_, aggregated, _) = LoopInput(aggregate.Input, absorb: false);
                return Generic(nameof(GlobalAggregate), [aggregated.ElementType, aggregate.Aggregation.StorageType, aggregate.Aggregation.ResultType], aggregate);
            case WindowOperator window:
                return Generic(nameof(Window), [window.ElementType], window);
            case ReduceByWindowOperator reduce:
                return Generic(nameof(ReduceByWindow), [reduce.ElementType], reduce);
            case ReduceByKeyAndWindowOperator reduce:
                return Generic(nameof(ReduceByKeyAndWindow), TypeArguments(reduce), reduce);
            case UpdateStateByKeyOperator update:
                var types = TypeArguments(update);
                return Generic(nameof(UpdateStateByKey), [types[0], types[1], update.Update.Parameters[1].Type, types[2]], update);
            case MapWithStateOperator mapWithState:
                return Generic(nameof(MapWithState), mapWithState.Types, mapWithState);
            case StateSnapshotsOperator snapshots:
                return Generic(nameof(StateSnapshots), snapshots.MapWithState.Types, snapshots);
            case EventTimeWindowOperator windows:
                return Generic(nameof(EventTimeWindow), windows.Types, windows);
            case LateDataOperator late:
                return Generic(nameof(LateData), late.Windows.Types, late);
            case RelationalOperator relational:
                return CompiledRelational(relational) ?? Generic(nameof(Relational), [relational.ElementType], relational);
            default:
                throw new NotSupportedException($"{node.Operator} has no physical plan.");
        }
    }

    /// <summary>Calls the generic compile method <paramref name="method"/> of this class with <paramref name="types"/>.</summary>
    private PlanNode Generic(string method, Type[] types, LogicalNode node) =>
        typeof(PlanCompiler).GetMethod(method, BindingFlags.NonPublic | BindingFlags.Instance)!
            .MakeGenericMethod(types)
            .CreateDelegate<Func<LogicalNode, PlanNode>>(this)(node);

    private static Type[] TypeArguments(LogicalNode node) => ((MethodCallExpression)node.Tree).Method.GetGenericArguments();

    /// <summary>
    /// The per-record chain an aggregate compiles into its own loop (the Map right below it, if
    /// any) and the node below that chain. With <paramref name="absorb"/>, records the choice.
    /// </summary>
    private (IReadOnlyList<MethodCallExpression> Ops, LogicalNode Below) Prefix(LogicalNode input, bool absorb)
    {
        if (input is not MapOperator map)
        {
            return ([], input);
        }

        if (absorb)
        {
            _choices.TryAdd(map, "FusedStage (in the same compiled loop as the operator above)");
        }

        return (map.Ops, map.Input);
    }

    private PlanNode Fused<TIn, TOut>(LogicalNode node)
    {
        var map = (MapOperator)node;
        var records = Expression.Parameter(typeof(BatchRecords<TIn>), "records");
        var start = Expression.Parameter(typeof(int), "start");
        var end = Expression.Parameter(typeof(int), "end");
        var output = Expression.Parameter(typeof(List<TOut>), "output");
        var add = typeof(List<TOut>).GetMethod(nameof(List<TOut>.Add))!;
        var tables = new List<StaticJoinTable>();
        var body = FusedLoopBuilder.Loop(records, start, end, map.Ops, value =>
            Expression.Call(output, add, value.Type == typeof(TOut) ? value : Expression.Convert(value, typeof(TOut))), tables);
        var loop = Expression.Lambda<Action<BatchRecords<TIn>, int, int, List<TOut>>>(body, records, start, end, output).Compile();
        return new FusedStage<TIn, TOut>(Compile(map.Input), loop, tables, map.Detail);
    }

    private PlanNode Window<T>(LogicalNode node)
    {
        var window = (WindowOperator)node;
        return new WindowNode<T>(Compile(window.Input), window.Window);
    }

    private PlanNode ReduceByWindow<T>(LogicalNode node)
    {
        var reduce = (ReduceByWindowOperator)node;
        return new WindowedReduce<T>(Compile(reduce.Input), (Func<T, T, T>)reduce.Func.Compile(), (Func<T, T, T>?)reduce.Inverse?.Compile(), reduce.Window, reduce.Detail);
    }

    private PlanNode ReduceByKeyAndWindow<TKey, TValue>(LogicalNode node)
    {
        var reduce = (ReduceByKeyAndWindowOperator)node;
        return new WindowedReduceByKey<TKey, TValue>(
            Compile(reduce.Input),
            (Func<TValue, TValue, TValue>)reduce.Func.Compile(),
            (Func<TValue, TValue, TValue>?)reduce.Inverse?.Compile(),
            (Func<KeyValuePair<TKey, TValue>, bool>?)reduce.Filter?.Compile(),
            reduce.Window,
            reduce.Detail);
    }

    private PlanNode UpdateStateByKey<TKey, TValue, TStored, TState>(LogicalNode node)
    {
        var update = (UpdateStateByKeyOperator)node;
        return new UpdateStateByKeyNode<TKey, TValue, TStored, TState>(Compile(update.Input), (Func<IReadOnlyList<TValue>, TStored, TStored>)update.Update.Compile(), update.Detail);
    }

    private PlanNode MapWithState<TKey, TValue, TState, TMapped>(LogicalNode node)
    {
        var mapWithState = (MapWithStateOperator)node;
        return new MapWithStateNode<TKey, TValue, TState, TMapped>(Compile(mapWithState.Input), (StateSpec<TKey, TValue, TState, TMapped>)mapWithState.Spec);
    }

    private PlanNode StateSnapshots<TKey, TValue, TState, TMapped>(LogicalNode node) =>
        new StateSnapshotNode<TKey, TValue, TState, TMapped>((MapWithStateNode<TKey, TValue, TState, TMapped>)Compile(((StateSnapshotsOperator)node).MapWithState));

    private PlanNode EventTimeWindow<T, TKey>(LogicalNode node)
    {
        var windows = (EventTimeWindowOperator)node;
        return new EventTimeWindowNode<T, TKey>(
            Compile(windows.Input),
            (Func<T, DateTimeOffset>)windows.EventTime.Compile(),
            windows.MaxOutOfOrderness,
            (Func<T, TKey>)windows.KeySelector.Compile(),
            windows.Windows,
            windows.AllowedLateness,
            windows.Mode,
            windows.Detail);
    }

    private PlanNode LateData<T, TKey>(LogicalNode node) =>
        new LateDataNode<T, TKey>((EventTimeWindowNode<T, TKey>)Compile(((LateDataOperator)node).Windows));

    private PlanNode Relational<TOut>(LogicalNode node)
    {
        var relational = (RelationalOperator)node;
        var query = relational.Query;
        var run = Expression.Lambda<Func<Array[], IEnumerable<TOut>>>(
            query.Type == typeof(IEnumerable<TOut>) ? query : Expression.Convert(query, typeof(IEnumerable<TOut>)),
            relational.InputsParameter).Compile();
        return new LinqToObjects<TOut>(relational.Inputs.Select(Compile).ToList(), run, relational.Detail);
    }
}
