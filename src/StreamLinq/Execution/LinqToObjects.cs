using System.Linq.Expressions;

namespace StreamLinq.Execution;

/// <summary>
/// Operators the planner has no special form for (joins, set operations, sorting, per-batch
/// scalars, Transform, groups that are materialised) run as the equivalent LINQ to Objects
/// query over the batch's records: always correct, compiled once, materialised per batch.
/// </summary>
internal sealed class LinqToObjects<TOut> : PlanNode
{
    private readonly PlanNode[] _inputs;
    private readonly Func<Array[], IEnumerable<TOut>> _query;

    public LinqToObjects(IReadOnlyList<PlanNode> inputs, ParameterExpression inputsParameter, Expression query, string detail)
    {
        _inputs = [.. inputs];
        Detail = detail;
        _query = Expression.Lambda<Func<Array[], IEnumerable<TOut>>>(
            query.Type == typeof(IEnumerable<TOut>) ? query : Expression.Convert(query, typeof(IEnumerable<TOut>)),
            inputsParameter).Compile();
    }

    public override string Kind => "LinqToObjects";

    public override string Detail { get; }

    public override IReadOnlyList<PlanNode> Children => _inputs;

    public override Type ElementType => typeof(TOut);

    public override Array? Compute(BatchExecution batch)
    {
        var inputs = new Array[_inputs.Length];
        for (var i = 0; i < inputs.Length; i++)
        {
            if (batch.Evaluate(_inputs[i]) is not { } input)
            {
                return null; // an input without a batch at this time (a window between slides)
            }

            inputs[i] = input;
        }

        return _query(inputs).ToArray();
    }
}
