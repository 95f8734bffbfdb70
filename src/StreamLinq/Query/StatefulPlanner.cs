using System.Linq.Expressions;
using StreamLinq.Execution;
using static StreamLinq.Query.ExpressionShapes;

namespace StreamLinq.Query;

/// <summary>
/// Plans the operators that keep state across batches (windows, keyed state, event time):
/// each becomes its own node kind, since none has a per-batch LINQ to Objects equivalent. A
/// recognised aggregation directly over a window becomes a windowed aggregation.
/// </summary>
internal static class StatefulPlanner
{
    private static readonly HashSet<string> Operators =
    [
        "Window", "ReduceByWindow", "ReduceByKeyAndWindow",
        "UpdateStateByKey", "MapWithState", "StateSnapshots",
        "WithEventTime", "WindowByEventTime", "LateData",
    ];

    /// <summary>Whether the call is one of the stateful operators, so not for LINQ to Objects.</summary>
    public static bool Handles(MethodCallExpression call) =>
        call.Method.DeclaringType == typeof(DStreamQueryable) && Operators.Contains(call.Method.Name);

    /// <summary>The node for <paramref name="call"/>, or null when it is not a stateful operator.</summary>
    public static PlanNode? TryTranslate(MethodCallExpression call, Func<Expression, PlanNode> build)
    {
        if (HashAggregatePlanner.TryCreate(call) is { } aggregation)
        {
            var prefix = PlanBuilder.StatelessChain(aggregation.Source, out var below);
            if (!IsOperator(below, "Window", out var window))
            {
                return null;
            }

            // The Where/Select chain between the window and the GroupBy is per record, so it is
            // applied to each batch before the batch enters the window.
            var perBatch = PlanBuilder.Create(
                typeof(HashAggregate<,,>),
                [PlanBuilder.ElementOf(window.Arguments[0]), aggregation.KeyType, aggregation.ResultType],
                build(window.Arguments[0]),
                prefix,
                aggregation);
            return PlanBuilder.Create(
                typeof(WindowedAggregate<,,>),
                [PlanBuilder.ElementOf(window.Arguments[0]), aggregation.KeyType, aggregation.ResultType],
                perBatch,
                Spec(window, 1));
        }

        if (call.Method.Name == "Count" && IsOperator(call.Arguments[0], "Window", out var counted))
        {
            // Window(...).Count(): each batch's count enters the window once and is subtracted
            // when it leaves, rather than counting the window's records at every slide.
            var perBatchCount = Expression.Call(null, call.Method, counted.Arguments[0]);
            Expression<Func<long, long, long>> add = (a, b) => a + b;
            Expression<Func<long, long, long>> subtract = (a, b) => a - b;
            return new WindowedReduce<long>(build(perBatchCount), add, subtract, Spec(counted, 1));
        }

        if (!Handles(call))
        {
            return null;
        }

        var source = call.Arguments[0];
        var types = call.Method.GetGenericArguments();
        return call.Method.Name switch
        {
            "Window" => PlanBuilder.Create(typeof(WindowNode<>), types, build(source), Spec(call, 1)),
            "ReduceByWindow" when call.Arguments.Count == 4 =>
                PlanBuilder.Create(typeof(WindowedReduce<>), types, build(source), Lambda(call.Arguments[1]), Null, Spec(call, 2)),
            "ReduceByWindow" =>
                PlanBuilder.Create(typeof(WindowedReduce<>), types, build(source), Lambda(call.Arguments[1]), Lambda(call.Arguments[2]), Spec(call, 3)),
            "ReduceByKeyAndWindow" when call.Arguments.Count == 4 =>
                PlanBuilder.Create(typeof(WindowedReduceByKey<,>), types, build(source), Lambda(call.Arguments[1]), Null, Null, Spec(call, 2)),
            "ReduceByKeyAndWindow" =>
                PlanBuilder.Create(typeof(WindowedReduceByKey<,>), types, build(source), Lambda(call.Arguments[1]), Lambda(call.Arguments[2]), OptionalLambda(call.Arguments[5]), Spec(call, 3)),
            _ => TranslateState(call, build),
        };
    }

    private static PlanNode TranslateState(MethodCallExpression call, Func<Expression, PlanNode> build)
    {
        var source = call.Arguments[0];
        var types = call.Method.GetGenericArguments();
        switch (call.Method.Name)
        {
            case "UpdateStateByKey":
                var update = Lambda(call.Arguments[1]);
                return PlanBuilder.Create(typeof(UpdateStateByKeyNode<,,,>), [types[0], types[1], update.Parameters[1].Type, types[2]], build(source), update);
            case "MapWithState":
                return PlanBuilder.Create(typeof(MapWithStateNode<,,,>), types, build(source), ((ConstantExpression)call.Arguments[1]).Value);
            case "StateSnapshots":
                var mapWithState = build(source);
                return PlanBuilder.Create(typeof(StateSnapshotNode<,,,>), mapWithState.GetType().GetGenericArguments(), mapWithState);
            default:
                return TranslateEventTime(call, build);
        }
    }

    private static PlanNode TranslateEventTime(MethodCallExpression call, Func<Expression, PlanNode> build)
    {
        var source = call.Arguments[0];
        switch (call.Method.Name)
        {
            case "WithEventTime":
                // By itself the stream is its source's records; the windows that follow read the
                // extractor and the out-of-orderness from this call.
                return build(source);
            case "WindowByEventTime":
                if (!IsOperator(source, "WithEventTime", out var withEventTime))
                {
                    throw new NotSupportedException($"WindowByEventTime must follow WithEventTime; found {PlanText.Of(source)}.");
                }

                return PlanBuilder.Create(
                    typeof(EventTimeWindowNode<,>),
                    call.Method.GetGenericArguments(),
                    build(withEventTime.Arguments[0]),
                    Lambda(withEventTime.Arguments[1]),
                    Constant(withEventTime.Arguments[2]),
                    Lambda(call.Arguments[1]),
                    Constant(call.Arguments[2]),
                    Constant(call.Arguments[3]),
                    Constant(call.Arguments[4]));
            case "LateData":
                var windows = build(source);
                return PlanBuilder.Create(typeof(LateDataNode<,>), windows.GetType().GetGenericArguments(), windows);
            default:
                throw new NotSupportedException($"{call.Method.Name} has no plan.");
        }
    }

    private static object? Constant(Expression argument) => ((ConstantExpression)argument).Value;

    /// <summary>The plan builder creates nodes by reflection; a typed null stands for an absent lambda.</summary>
    private static LambdaExpression? Null => null;

    private static object? OptionalLambda(Expression argument) =>
        argument is ConstantExpression { Value: null } ? null : Lambda(argument);

    private static WindowSpec Spec(MethodCallExpression call, int lengthArgument) =>
        new((TimeSpan)((ConstantExpression)call.Arguments[lengthArgument]).Value!, (TimeSpan)((ConstantExpression)call.Arguments[lengthArgument + 1]).Value!);
}
