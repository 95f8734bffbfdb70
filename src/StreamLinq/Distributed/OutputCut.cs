using System.Linq.Expressions;
using System.Reflection;
using StreamLinq.DStreams;
using StreamLinq.Execution;
using StreamLinq.Query;
using StreamLinq.Query.Logical;
using StreamLinq.Sinks;

namespace StreamLinq.Distributed;

/// <summary>How a map task's output of one output operation goes to the reducers.</summary>
internal enum ShuffleMode
{
    /// <summary>By the hash of the key of the operator after the shuffle: every key partition runs the output for its keys.</summary>
    ByKey,

    /// <summary>The plan has no shuffle: records stay with their source partition's reducer (partition mod key partitions).</summary>
    BySourcePartition,

    /// <summary>Everything meets on key partition 0, in map task order, which runs the output alone.</summary>
    Gather,
}

/// <summary>
/// The narrow part of one output's plan over one input, which executors run: the input and the
/// chain of per-record operators (Map) right above it, and the map-side combine of the operator
/// above that where it has one. Its result is shuffle input <see cref="ShuffleId"/> of the
/// reducers' plan.
/// </summary>
internal sealed class ShufflePrefix(int shuffleId, int inputId, LogicalNode top)
{
    private static readonly MethodInfo ReduceByKeyMethod = typeof(DStreamQueryable).GetMethods()
        .Single(m => m.Name == nameof(DStreamQueryable.ReduceByKey) && m.GetGenericArguments().Length == 2);

    public int ShuffleId { get; } = shuffleId;

    public int InputId { get; } = inputId;

    public LogicalNode Top { get; } = top;

    public Type ElementType => Top.ElementType;

    /// <summary>The shuffle input's type: the narrow part's, or the pre-aggregated operator's result (the reducers then read that in its place).</summary>
    public Type ShuffledType => Aggregation is { IsWindowed: false } aggregation ? aggregation.ResultType : ElementType;

    /// <summary>The subtree the reducers read from the shuffle: the pre-aggregated operator, or the narrow part.</summary>
    public Expression ShuffledTree => Aggregation is { IsWindowed: false } aggregation ? aggregation.Tree : Top.Tree;

    /// <summary>What executors compile and run when they ship records: the narrow part, or a per-batch reduce by key of it (<see cref="Combine"/>).</summary>
    public Expression MapTree => Combine is { } func
        ? Expression.Call(ReduceByKeyMethod.MakeGenericMethod(ElementType.GetGenericArguments()), Top.Tree, Expression.Quote(func))
        : Top.Tree;

    /// <summary>
    /// The aggregate right above the narrow part (a GroupBy aggregate, a stream's Count, Sum...),
    /// which executors pre-aggregate: they ship partial aggregates, and the reducers' plan reads
    /// the merged result in place of the aggregate. Null when records are shipped.
    /// </summary>
    public PartialAggregation? Aggregation { get; set; }

    /// <summary>
    /// The associative function of the reduce by key right above the narrow part (ReduceByKey,
    /// ReduceByKeyAndWindow), with which executors combine each key's values before shipping the
    /// pairs; the reducers reduce the combined pairs as they would the records. Null otherwise.
    /// </summary>
    public LambdaExpression? Combine { get; set; }

    /// <summary>What crosses the shuffle, for Explain.</summary>
    public string Shipped =>
        Aggregation is { } aggregation ? $"partial aggregation: {aggregation.Aggregates}"
        : Combine is { } func ? $"partial reduce by key: {PlanText.Of(func)}"
        : "records";

    /// <summary>Splits the records by key partition; null unless records of the output are shuffled <see cref="ShuffleMode.ByKey"/>.</summary>
    public Func<Array, int, Array[]>? Router { get; set; }

    /// <summary>The compiled <see cref="MapTree"/>, built on first use (executors only).</summary>
    public PlanNode? Compiled { get; set; }
}

/// <summary>
/// One output operation cut for cluster mode: the stage executors run (one
/// <see cref="ShufflePrefix"/> per input it reads), how its records are shuffled, and the same
/// output over the shuffled records, which reducers run. The cut is made where the plan's first
/// shuffle boundary is (<see cref="LogicalNode.Exchange"/>): with one keyed boundary right above the
/// narrow parts (or a GroupBy aggregate over a window of the one narrow part), and none above it,
/// each reducer runs the rest of the plan for its keys; with no boundary at all, for its source
/// partitions' records; otherwise the rest runs in one place.
/// </summary>
internal sealed class OutputCut
{
    private OutputCut(OutputOperation output, OutputOperation reduce, ShuffleMode mode, IReadOnlyList<ShufflePrefix> prefixes, LogicalNode? boundary)
    {
        Output = output;
        Reduce = reduce;
        Mode = mode;
        Prefixes = prefixes;
        Boundary = boundary;
    }

    public OutputOperation Output { get; }

    /// <summary>The output over the shuffle inputs: what a reducer plans and runs.</summary>
    public OutputOperation Reduce { get; }

    public ShuffleMode Mode { get; }

    public IReadOnlyList<ShufflePrefix> Prefixes { get; }

    /// <summary>The shuffle boundary the reducers start at when <see cref="Mode"/> is <see cref="ShuffleMode.ByKey"/>.</summary>
    public LogicalNode? Boundary { get; }

    public static OutputCut Create(StreamingContext context, OutputOperation output, QueryPlanner planner, ref int nextShuffleId)
    {
        var root = planner.Plan(output.Query);
        var nodes = LogicalPlan.Nodes(root).ToList();
        var parents = new Dictionary<LogicalNode, List<LogicalNode>>(ReferenceEqualityComparer.Instance);
        foreach (var node in nodes)
        {
            parents[node] = [];
        }

        foreach (var node in nodes)
        {
            foreach (var input in node.Inputs.Distinct(ReferenceEqualityComparer.Instance).Cast<LogicalNode>())
            {
                parents[input].Add(node);
            }
        }

        var prefixes = new List<ShufflePrefix>();
        foreach (var source in nodes.OfType<SourceOperator>())
        {
            LogicalNode top = source;
            while (parents[top] is [MapOperator map])
            {
                top = map;
            }

            prefixes.Add(new ShufflePrefix(nextShuffleId++, source.InputId, top)
            {
                Aggregation = parents[top] is [GroupAggregateOperator or AggregateOperator] ? new PartialAggregation(parents[top][0], windowed: false) : null,
            });
        }

        var boundaries = nodes.Where(n => n.Exchange.IsBoundary).ToList();
        var mode = ShuffleMode.Gather;
        LogicalNode? boundary = null;
        if (boundaries.Count == 0)
        {
            mode = ShuffleMode.BySourcePartition;
        }
        else if (boundaries is [var only] && Routers(only, prefixes, parents) is { } routers)
        {
            mode = ShuffleMode.ByKey;
            boundary = only;
            var combine = Combine(only);
            for (var i = 0; i < prefixes.Count; i++)
            {
                if (prefixes[i].Aggregation is null)
                {
                    prefixes[i].Router = routers[i];
                    prefixes[i].Combine = combine;
                }
            }
        }
        else if (boundaries is [GroupAggregateOperator aggregate] && WindowedPrefix(aggregate, prefixes, parents) is { } windowed)
        {
            mode = ShuffleMode.ByKey;
            boundary = aggregate;
            windowed.Aggregation = new PartialAggregation(aggregate, windowed: true);
        }

        var reduce = output.WithQuery(new PrefixReplacer(context, prefixes).Visit(output.Query)!);
        return new OutputCut(output, reduce, mode, prefixes, boundary);
    }

    /// <summary>
    /// The router of each prefix when <paramref name="boundary"/> reads exactly the prefixes and
    /// hashes them by a key the cluster can compute alike on every executor; null otherwise.
    /// </summary>
    private static Func<Array, int, Array[]>?[]? Routers(LogicalNode boundary, List<ShufflePrefix> prefixes, Dictionary<LogicalNode, List<LogicalNode>> parents)
    {
        if (boundary.Exchange.Kind != ExchangeKind.HashByKey || boundary.Inputs.Count != prefixes.Count ||
            prefixes.Any(p => parents[p.Top] is not [var parent] || !ReferenceEquals(parent, boundary)) ||
            boundary.Inputs.Distinct(ReferenceEqualityComparer.Instance).Count() != boundary.Inputs.Count)
        {
            return null;
        }

        // Per input of the boundary, its router; prefixes are matched to inputs by their top node.
        var byInput = boundary switch
        {
            GroupAggregateOperator aggregate when aggregate.Aggregation.InputType == aggregate.Input.ElementType =>
                [ShuffleRouting.ByKey(aggregate.Aggregation.Key)],
            UpdateStateByKeyOperator or MapWithStateOperator or ReduceByKeyAndWindowOperator when IsPair(boundary.Inputs[0].ElementType) =>
                [ShuffleRouting.ByPairKey(boundary.Inputs[0].ElementType)],
            RelationalOperator { Calls: [var call] } relational => RelationalRouters(call, relational),

            // Event-time windows keep one watermark over all keys: split by key, each reducer's
            // watermark would move on its own keys' records alone, and lateness would differ.
            _ => null,
        };
        if (byInput is null)
        {
            return null;
        }

        return prefixes.Select(p => byInput[boundary.Inputs.ToList().FindIndex(i => ReferenceEquals(i, p.Top))]).ToArray();
    }

    /// <summary>
    /// The one prefix when the plan before the aggregate is exactly the narrow part, a window and
    /// a chain of per-record operators, each read by the next alone: the plan one process runs is
    /// then a <see cref="WindowedAggregate{TIn,TKey,TOut}"/> keeping one partial table per batch,
    /// which executors can compute and reducers can take in, each keeping the window for its keys.
    /// </summary>
    private static ShufflePrefix? WindowedPrefix(GroupAggregateOperator aggregate, List<ShufflePrefix> prefixes, Dictionary<LogicalNode, List<LogicalNode>> parents)
    {
        var below = aggregate.Input is MapOperator map && parents[map] is [_] ? map.Input : aggregate.Input;

        // As the compiler decides: a window reached through WithEventTime is not absorbed.
        QueryPlanner.StatelessChain(aggregate.Aggregation.Source, out var belowChain);
        return below is WindowOperator window && ExpressionShapes.IsOperator(belowChain, "Window", out _) && parents[window] is [_]
            && prefixes is [var prefix] && ReferenceEquals(window.Input, prefix.Top) && parents[prefix.Top] is [_]
            ? prefix
            : null;
    }

    /// <summary>
    /// The function of a reduce by key, whose per-batch reduce executors may run on their records
    /// first: it is associative (the operators' contract), and each partition's values are
    /// combined in record order and the partials in map task order, so a key's values are
    /// combined in the order one process combines them, only grouped otherwise.
    /// </summary>
    private static LambdaExpression? Combine(LogicalNode boundary) => boundary switch
    {
        ReduceByKeyAndWindowOperator reduce => reduce.Func,
        RelationalOperator { Calls: [{ Method.Name: "ReduceByKey", Arguments: [_, var func] }] } => Lambda(func),
        _ => null,
    };

    private static Func<Array, int, Array[]>[]? RelationalRouters(MethodCallExpression call, RelationalOperator relational)
    {
        var inputs = relational.Inputs;
        for (var i = 0; i < inputs.Count; i++)
        {
            if (i >= call.Arguments.Count || !ReferenceEquals(inputs[i].Tree, call.Arguments[i]))
            {
                return null;
            }
        }

        return (call.Method.Name, call.Arguments.Count, inputs.Count) switch
        {
            ("Join" or "GroupJoin" or "LeftJoin", 5, 2) => [ShuffleRouting.ByKey(Lambda(call.Arguments[2])), ShuffleRouting.ByKey(Lambda(call.Arguments[3]))],
            ("GroupBy", >= 2, 1) when Lambda(call.Arguments[1]).Parameters.Count == 1 => [ShuffleRouting.ByKey(Lambda(call.Arguments[1]))],
            ("ReduceByKey", 2, 1) when IsPair(inputs[0].ElementType) => [ShuffleRouting.ByPairKey(inputs[0].ElementType)],
            ("ReduceByKey", 4, 1) => [ShuffleRouting.ByKey(Lambda(call.Arguments[1]))],
            ("Distinct" or "CountByValue", 1, 1) => [ShuffleRouting.ByRecord(inputs[0].ElementType)],
            ("Union", 2, 2) => [ShuffleRouting.ByRecord(inputs[0].ElementType), ShuffleRouting.ByRecord(inputs[1].ElementType)],
            _ => null,
        };
    }

    private static LambdaExpression Lambda(Expression argument) =>
        (LambdaExpression)(argument is UnaryExpression { NodeType: ExpressionType.Quote } quote ? quote.Operand : argument);

    private static bool IsPair(Type type) => type.IsGenericType && type.GetGenericTypeDefinition() == typeof(KeyValuePair<,>);

    /// <summary>Puts a shuffle input in place of each narrow part (or the aggregate executors pre-aggregate), so a reducer plans only what follows the shuffle.</summary>
    private sealed class PrefixReplacer(StreamingContext context, IReadOnlyList<ShufflePrefix> prefixes) : ExpressionVisitor
    {
        private readonly Dictionary<Expression, Expression> _inputs = prefixes.ToDictionary<ShufflePrefix, Expression, Expression>(
            p => p.ShuffledTree,
            p => ((IDStream)Activator.CreateInstance(
                typeof(InputDStream<>).MakeGenericType(p.ShuffledType),
                context,
                p.ShuffleId,
                Activator.CreateInstance(typeof(ShuffleInput<>).MakeGenericType(p.ShuffledType), $"Shuffle#{p.ShuffleId}")!)!).Expression,
            ReferenceEqualityComparer.Instance);

        public override Expression? Visit(Expression? node) =>
            node is not null && _inputs.TryGetValue(node, out var input) ? input : base.Visit(node);
    }
}
