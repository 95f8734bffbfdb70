using System.Linq.Expressions;
using StreamLinq.DStreams;
using StreamLinq.Execution;
using StreamLinq.Query.Logical;
using StreamLinq.Sinks;
using static StreamLinq.Query.ExpressionShapes;

namespace StreamLinq.Query;

/// <summary>
/// Turns query trees into a logical plan: one <see cref="LogicalNode"/> per operator the query
/// states (a chain of per-record operators is one Map; a GroupBy whose groups are used only
/// through their key and aggregates is one GroupAggregate; a run of operators with no special
/// form is one Relational), with keys, state and shuffle boundaries. Nothing is compiled here
/// and no physical choice is made: fusing a Map into the aggregate above it, or a window into
/// the aggregation over it, is the compiler's (<see cref="PlanCompiler"/>). A subtree shared by
/// several outputs becomes one node.
/// </summary>
internal sealed class QueryPlanner
{
    private static readonly HashSet<string> StatefulOperators =
    [
        "Window", "ReduceByWindow", "ReduceByKeyAndWindow",
        "UpdateStateByKey", "MapWithState", "StateSnapshots",
        "WithEventTime", "WindowByEventTime", "LateData",
    ];

    private readonly Dictionary<Expression, LogicalNode> _planned = new(ReferenceEqualityComparer.Instance);
    private readonly OperatorNames _names = new();

    /// <summary>Whether the call is one of the operators that keep state across batches (or read such state).</summary>
    public static bool IsStatefulOperator(MethodCallExpression call) =>
        call.Method.DeclaringType == typeof(DStreamQueryable) && StatefulOperators.Contains(call.Method.Name);

    public LogicalPlan Plan(IEnumerable<OutputOperation> outputs)
    {
        // Every tree is stripped of its names before any is planned, so that a node the outputs
        // share has all its names when it is planned.
        var stripped = outputs.Select(output => (output, Query: _names.Strip(output.Query, output: true))).ToList();
        var plan = new LogicalPlan(stripped.Select(o => (o.output, Plan(o.Query))).ToList());

        // A name inside a chain the planner fused into one node (Where(...).Named(...).Select(...)) names no node.
        foreach (var (stream, name) in _names.Operators)
        {
            if (!_planned.ContainsKey(stream))
            {
                throw new NotSupportedException($"Named(\"{name}\") follows `{PlanText.Of(stream)}`, which keeps no state: name a stateful operator (a window, a windowed reduce or aggregation, UpdateStateByKey, MapWithState, an event-time window), or the stream right before an output.");
            }
        }

        return plan;
    }

    public LogicalNode Plan(Expression expression)
    {
        expression = _names.Strip(expression);
        if (_planned.TryGetValue(expression, out var existing))
        {
            return existing;
        }

        var node = Translate(expression);
        _planned[expression] = node;
        Name(node, expression);
        return node;
    }

    /// <summary>
    /// Gives <paramref name="node"/> the name <c>Named</c> gave its stream. Whether it keeps state
    /// shows only once compiled (an aggregation over a window does), so the compiler checks that.
    /// </summary>
    private void Name(LogicalNode node, Expression expression)
    {
        switch (_names.Of(expression))
        {
            case (null, _):
                return;
            case ({ } name, OutputOnly: true):
                // An output's name names the operator before it only if it keeps state, and yields to an operator's own name.
                if (node.Name is null)
                {
                    node.Name = name;
                    node.NamedByOutput = true;
                }

                return;
            case ({ } name, OutputOnly: false):
                if (node.Name is { } given && given != name && !node.NamedByOutput)
                {
                    throw new NotSupportedException($"{node.Operator} [{node.Detail}] is named both \"{given}\" and \"{name}\". An operator has one name.");
                }

                node.Name = name;
                node.NamedByOutput = false;
                return;
        }
    }

    private LogicalNode Translate(Expression expression)
    {
        if (expression is ConstantExpression { Value: IInputDStream input })
        {
            return new SourceOperator(expression, input.Id, input.Source, input.ElementType);
        }

        if (!IsOperator(expression, out var call))
        {
            throw new NotSupportedException($"The stream expression '{PlanText.Of(expression)}' is not a StreamLinq operator or input.");
        }

        if (HashAggregatePlanner.TryCreate(call) is { } aggregation)
        {
            return new GroupAggregateOperator(expression, aggregation, Plan(aggregation.Source));
        }

        if (BatchAggregatePlanner.TryCreate(call) is { } batchAggregation)
        {
            return new AggregateOperator(expression, batchAggregation, Plan(batchAggregation.Source));
        }

        if (IsStateless(call))
        {
            var ops = StatelessChain(expression, out var below);
            return new MapOperator(expression, ops, Plan(below));
        }

        if (IsStatefulOperator(call))
        {
            return TranslateStateful(expression, call);
        }

        var translator = new EnumerableTranslator(Plan);
        var query = translator.Translate(call);
        return new RelationalOperator(expression, translator.Inputs, translator.InputsParameter, query, translator.Detail, translator.Calls);
    }

    /// <summary>The Where/Select/SelectMany calls ending at <paramref name="top"/>, innermost first.</summary>
    internal static List<MethodCallExpression> StatelessChain(Expression top, out Expression below)
    {
        var ops = new List<MethodCallExpression>();
        while (IsOperator(top, out var call) && IsStateless(call) && HashAggregatePlanner.TryCreate(call) is null)
        {
            ops.Add(call);
            top = call.Arguments[0];
        }

        ops.Reverse();
        below = top;
        return ops;
    }

    private LogicalNode TranslateStateful(Expression expression, MethodCallExpression call)
    {
        var source = call.Arguments[0];
        var types = call.Method.GetGenericArguments();
        switch (call.Method.Name)
        {
            case "Window":
                return new WindowOperator(expression, Spec(call, 1), Plan(source));
            case "ReduceByWindow" when call.Arguments.Count == 4:
                return new ReduceByWindowOperator(expression, Lambda(call.Arguments[1]), null, Spec(call, 2), Plan(source));
            case "ReduceByWindow":
                return new ReduceByWindowOperator(expression, Lambda(call.Arguments[1]), Lambda(call.Arguments[2]), Spec(call, 3), Plan(source));
            case "ReduceByKeyAndWindow" when call.Arguments.Count == 4:
                return new ReduceByKeyAndWindowOperator(expression, Lambda(call.Arguments[1]), null, null, Spec(call, 2), Plan(source));
            case "ReduceByKeyAndWindow":
                return new ReduceByKeyAndWindowOperator(expression, Lambda(call.Arguments[1]), Lambda(call.Arguments[2]), OptionalLambda(call.Arguments[5]), Spec(call, 3), Plan(source));
            case "UpdateStateByKey":
                return new UpdateStateByKeyOperator(expression, Lambda(call.Arguments[1]), Plan(source));
            case "MapWithState":
                var spec = Constant(call.Arguments[1])!;
                return new MapWithStateOperator(expression, types, spec, DescribeStateSpec(spec), Plan(source));
            case "StateSnapshots":
                return new StateSnapshotsOperator(expression, (MapWithStateOperator)Plan(source));
            case "WithEventTime":
                // By itself the stream is its source's records; the windows that follow read the
                // extractor and the out-of-orderness from this call.
                return Plan(source);
            case "WindowByEventTime":
                if (!IsOperator(source, "WithEventTime", out var withEventTime))
                {
                    throw new NotSupportedException($"WindowByEventTime must follow WithEventTime; found {PlanText.Of(source)}.");
                }

                return new EventTimeWindowOperator(
                    expression,
                    types,
                    Lambda(withEventTime.Arguments[1]),
                    (TimeSpan)Constant(withEventTime.Arguments[2])!,
                    Lambda(call.Arguments[1]),
                    (EventTimeWindows)Constant(call.Arguments[2])!,
                    (TimeSpan)Constant(call.Arguments[3])!,
                    (WindowOutputMode)Constant(call.Arguments[4])!,
                    Plan(withEventTime.Arguments[0]));
            case "LateData":
                return new LateDataOperator(expression, (EventTimeWindowOperator)Plan(source));
            default:
                throw new NotSupportedException($"{call.Method.Name} has no plan.");
        }
    }

    private static string DescribeStateSpec(object spec)
    {
        var initial = spec.GetType().GetProperty(nameof(StateSpec<int, int, int, int>.InitialState))!.GetValue(spec) as System.Collections.ICollection;
        var timeout = (TimeSpan?)spec.GetType().GetProperty(nameof(StateSpec<int, int, int, int>.Timeout))!.GetValue(spec);
        return $"{(initial is null ? "no initial state" : $"initial state for {initial.Count} keys")}; {(timeout is { } t ? $"idle timeout {t}" : "no timeout")}";
    }

    private static object? Constant(Expression argument) => ((ConstantExpression)argument).Value;

    private static LambdaExpression? OptionalLambda(Expression argument) =>
        argument is ConstantExpression { Value: null } ? null : Lambda(argument);

    private static WindowSpec Spec(MethodCallExpression call, int lengthArgument) =>
        new((TimeSpan)((ConstantExpression)call.Arguments[lengthArgument]).Value!, (TimeSpan)((ConstantExpression)call.Arguments[lengthArgument + 1]).Value!);
}
