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
/// <param name="exact">
/// The same partial by a loop that cannot overflow, compiled on first use; run for a partition
/// whose <paramref name="loop"/> threw an <see cref="OverflowException"/> (a <c>long</c> sum
/// whose checked running sum left the range), so that only the batch's sum is checked, as
/// <see cref="WideSum"/> says. Null when <paramref name="loop"/> cannot overflow.
/// </param>
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
    Lazy<Func<BatchRecords<TIn>, int, int, BatchAggregate<TIn, TStorage, TOut>.Partial>>? exact,
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

    /// <summary>The child node, whose records the aggregate reads.</summary>
    public PlanNode Child => _child;

    public override Array? Compute(BatchExecution batch)
    {
        if (batch.Records<TIn>(_child) is not { } input || (streamJoin is not null && !streamJoin.Build(batch, input)))
        {
            return null;
        }

        return Finish(Accumulate(input, batch));
    }

    /// <summary>
    /// The partial of <paramref name="input"/>: the partitions' partials merged in partition order.
    /// Cluster executors ship it rather than the records (map-side combine).
    /// </summary>
    public Partial Accumulate(BatchRecords<TIn> input, BatchExecution batch)
    {
        StaticJoinTable.LoadFor(tables, input.Count);
        var partials = batch.RunPartitions(input.Count, (start, end) => Partition(input, start, end), fixedChunks);
        var total = partials[0];
        for (var p = 1; p < partials.Length; p++)
        {
            total = Merge(total, partials[p]);
        }

        return total;
    }

    private Partial Partition(BatchRecords<TIn> input, int start, int end)
    {
        if (exact is null)
        {
            return loop(input, start, end);
        }

        try
        {
            return loop(input, start, end);
        }
        catch (OverflowException)
        {
            // The chain's own code runs again for these records: an overflow of its own throws again.
            return exact.Value(input, start, end);
        }
    }

    /// <summary>Two partials combined, <paramref name="earlier"/>'s records first; an empty partial changes nothing.</summary>
    public Partial Merge(Partial earlier, Partial later) =>
        earlier.Count == 0 ? later
        : later.Count == 0 ? earlier
        : new Partial(checked(earlier.Count + later.Count), combine(earlier.Value, later.Value));

    /// <summary>The batch's result from the merged partial: one record, or none for an empty batch's Min, Max or Average.</summary>
    public TOut[] Finish(Partial total) => total.Count == 0 && !yieldsOnEmpty ? [] : [finish(total.Value, total.Count)];

    /// <summary>One partition's result: how many values it aggregated, and their accumulator.</summary>
    internal readonly record struct Partial(long Count, TStorage Value);
}
