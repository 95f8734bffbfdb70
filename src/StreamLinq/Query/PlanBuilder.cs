using System.Linq.Expressions;
using StreamLinq.DStreams;
using StreamLinq.Execution;
using StreamLinq.Sinks;
using static StreamLinq.Query.ExpressionShapes;

namespace StreamLinq.Query;

/// <summary>
/// Translates query trees into physical plans, once, when the context starts: chains of
/// Where/Select/SelectMany become fused stages, recognised GroupBy aggregations become hash
/// aggregations and per-batch Count/Sum/Min/Max/Average become batch aggregates (both absorbing
/// the chain below them), and everything else runs through LINQ to
/// Objects. A subtree shared by several outputs becomes one node.
/// </summary>
internal sealed class PlanBuilder
{
    private readonly Dictionary<Expression, PlanNode> _built = new(ReferenceEqualityComparer.Instance);

    public ExecutionPlan Build(IEnumerable<OutputOperation> outputs) =>
        new(outputs.Select(output => (output, Build(output.Query))).ToList());

    public PlanNode Build(Expression expression)
    {
        if (_built.TryGetValue(expression, out var existing))
        {
            return existing;
        }

        var node = Translate(expression);
        // WithEventTime plans as its source's node: that node keeps the tree it was first built from.
        node.PlannedFrom ??= expression;
        _built[expression] = node;
        return node;
    }

    private PlanNode Translate(Expression expression)
    {
        if (expression is ConstantExpression { Value: IInputDStream input })
        {
            return new SourceNode(input.Id, input.Source, input.ElementType);
        }

        if (!IsOperator(expression, out var call))
        {
            throw new NotSupportedException($"The stream expression '{PlanText.Of(expression)}' is not a StreamLinq operator or input.");
        }

        if (StatefulPlanner.TryTranslate(call, Build) is { } stateful)
        {
            return stateful;
        }

        if (HashAggregatePlanner.TryCreate(call) is { } aggregation)
        {
            var prefix = StatelessChain(aggregation.Source, out var below);
            return Create(typeof(HashAggregate<,,>), [ElementOf(below), aggregation.KeyType, aggregation.ResultType], Build(below), prefix, aggregation);
        }

        if (BatchAggregatePlanner.TryCreate(call) is { } batchAggregation)
        {
            var prefix = StatelessChain(batchAggregation.Source, out var below);
            return Create(typeof(BatchAggregate<,,>), [ElementOf(below), batchAggregation.StorageType, batchAggregation.ResultType], Build(below), prefix, batchAggregation);
        }

        if (IsStateless(call))
        {
            var ops = StatelessChain(expression, out var below);
            return Create(typeof(FusedStage<,>), [ElementOf(below), ElementOf(expression)], Build(below), ops);
        }

        var translator = new EnumerableTranslator(Build);
        var query = translator.Translate(call);
        return Create(typeof(LinqToObjects<>), [ElementOf(expression)], translator.Inputs, translator.InputsParameter, query, translator.Detail);
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

    internal static Type ElementOf(Expression stream) =>
        (stream.Type.IsGenericType && stream.Type.GetGenericTypeDefinition() == typeof(IDStream<>)
            ? stream.Type
            : stream.Type.GetInterfaces().First(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDStream<>)))
        .GetGenericArguments()[0];

    internal static PlanNode Create(Type definition, Type[] types, params object?[] arguments)
    {
        try
        {
            return (PlanNode)Activator.CreateInstance(definition.MakeGenericType(types), arguments)!;
        }
        catch (System.Reflection.TargetInvocationException error) when (error.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error.InnerException);
            throw;
        }
    }
}
