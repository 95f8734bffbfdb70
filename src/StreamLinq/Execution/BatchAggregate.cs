using StreamLinq.Sources;

namespace StreamLinq.Execution;

/// <summary>
/// A per-batch global aggregate (Count, Sum, Min, Max, Average) in one compiled loop per
/// partition: the fused Where/Select/SelectMany prefix (and the probe of a join of two streams
/// below it), then an accumulator update with the selector inlined. Nothing is materialised; each partition yields a count and an accumulator,
/// which are merged in partition order.
/// </summary>
/// <remarks>The planner's compiler builds the loop, the merge and the result (<c>Query/PlanCompiler</c>); this node runs them.</remarks>
/// <param name="child">The node whose records the aggregate reads.</param>
/// <param name="loop">The partial of records <c>[start, end)</c> of the batch (walking their segments): how many values, and their accumulator.</param>
/// <param name="combine">Combines two non-empty partials, the earlier partition's first.</param>
/// <param name="finish">The batch's result from the accumulator and the number of values.</param>
/// <param name="yieldsOnEmpty">Whether an empty batch still yields a record (0 for Count and Sum).</param>
/// <param name="fixedChunks">Whether the cut must not depend on the machine (a floating-point sum).</param>
/// <param name="tables">The static join tables the loop reads, loaded before each batch's loops run.</param>
/// <param name="streamJoin">The build side of the join of two streams whose probe the loop runs (the child is then its outer side), built before each batch's loops run; null without one.</param>
/// <param name="detail">The aggregate, as the query wrote it.</param>
internal sealed class BatchAggregate<TIn, TStorage, TOut>(
    PlanNode child,
    Func<BatchRecords<TIn>, int, int, BatchAggregate<TIn, TStorage, TOut>.Partial> loop,
    Func<TStorage, TStorage, TStorage> combine,
    Func<TStorage, long, TOut> finish,
    bool yieldsOnEmpty,
    bool fixedChunks,
    IReadOnlyList<StaticJoinTable> tables,
    StreamJoinTable? streamJoin,
    string detail) : PlanNode
{
    private readonly PlanNode _child = child;

    public override string Kind => "BatchAggregate";

    public override string Detail { get; } = detail;

    public override string Strategy => "one compiled loop per partition, partials merged in partition order";

    public override IReadOnlyList<PlanNode> Children => streamJoin is null ? [_child] : [_child, streamJoin.Inner];

    public override Type ElementType => typeof(TOut);

    public override Array? Compute(BatchExecution batch)
    {
        if (batch.Records<TIn>(_child) is not { } input || (streamJoin is not null && !streamJoin.Build(batch, input)))
        {
            return null;
        }

        StaticJoinTable.LoadFor(tables, input.Count);
        var partials = batch.RunPartitions(input.Count, (start, end) => loop(input, start, end), fixedChunks);
        var total = partials[0];
        for (var p = 1; p < partials.Length; p++)
        {
            var next = partials[p];
            total = total.Count == 0 ? next
                : next.Count == 0 ? total
                : new Partial(checked(total.Count + next.Count), combine(total.Value, next.Value));
        }

        return total.Count == 0 && !yieldsOnEmpty ? Array.Empty<TOut>() : [finish(total.Value, total.Count)];
    }

    /// <summary>One partition's result: how many values it aggregated, and their accumulator.</summary>
    internal readonly record struct Partial(long Count, TStorage Value);
}
