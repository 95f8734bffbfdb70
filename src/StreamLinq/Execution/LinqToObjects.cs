namespace StreamLinq.Execution;

/// <summary>
/// Operators the planner has no special form for (joins, set operations, sorting, per-batch
/// scalars, Transform, groups that are materialised) run as the equivalent LINQ to Objects
/// query over the batch's records: always correct, compiled once, materialised per batch.
/// </summary>
/// <param name="inputs">The nodes whose records the query reads.</param>
/// <param name="query">The compiled query over the inputs' arrays, in <paramref name="inputs"/> order.</param>
/// <param name="detail">The operators, as the query wrote them.</param>
internal sealed class LinqToObjects<TOut>(IReadOnlyList<PlanNode> inputs, Func<Array[], IEnumerable<TOut>> query, string detail) : PlanNode
{
    private readonly PlanNode[] _inputs = [.. inputs];

    public override string Kind => "LinqToObjects";

    public override string Detail { get; } = detail;

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

        return query(inputs).ToArray();
    }
}
