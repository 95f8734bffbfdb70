using StreamLinq.Sources;

namespace StreamLinq.Execution;

/// <summary>
/// A chain of Where, Select and SelectMany compiled into one loop per partition, with the
/// lambdas' bodies inlined: no delegate call and no intermediate collection per record.
/// </summary>
/// <remarks>The planner's compiler builds the loop (<c>Query/FusedLoopBuilder</c>); this node only runs it over partitions.</remarks>
/// <param name="child">The node whose records the loop reads.</param>
/// <param name="loop">Adds the results of records <c>[start, end)</c> of the batch to the list, in order, walking their segments.</param>
/// <param name="tables">The static join tables the loop reads, loaded before each batch's loops run.</param>
/// <param name="detail">The chain, as the query wrote it.</param>
internal sealed class FusedStage<TIn, TOut>(PlanNode child, Action<BatchRecords<TIn>, int, int, List<TOut>> loop, IReadOnlyList<StaticJoinTable> tables, string detail) : PlanNode
{
    private readonly PlanNode _child = child;

    public override string Kind => "FusedStage";

    public override string Detail { get; } = detail;

    public override string Strategy => "one compiled loop per partition";

    public override IReadOnlyList<PlanNode> Children => [_child];

    public override Type ElementType => typeof(TOut);

    public override Array? Compute(BatchExecution batch)
    {
        if (batch.Records<TIn>(_child) is not { } input)
        {
            return null;
        }

        StaticJoinTable.LoadFor(tables, input.Count);
        var parts = batch.RunPartitions(input.Count, (start, end) =>
        {
            var part = new List<TOut>(end - start);
            loop(input, start, end, part);
            return part;
        });
        if (parts.Length == 1)
        {
            return parts[0].ToArray();
        }

        var result = new TOut[parts.Sum(p => p.Count)];
        var offset = 0;
        foreach (var part in parts)
        {
            part.CopyTo(result, offset);
            offset += part.Count;
        }

        return result;
    }
}
