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
internal sealed class FusedStage<TIn, TOut>(PlanNode child, Action<BatchRecords<TIn>, int, int, List<TOut>> loop, IReadOnlyList<StaticJoinTable> tables, string detail) : PlanNode, IEagerNode
{
    private readonly PlanNode _child = child;

    // Set once, when the stage reads a receiver directly and the interval is long enough.
    private EagerStage<TIn, TOut>? _eager;

    // The partitions' lists, kept from one batch to the next: a large batch's lists are
    // large-object arrays, and fresh ones cost a page fault per 4 KB on first touch (the result's
    // array is the only fresh one left). Taken and put back whole, so that a call left running
    // past its deadline keeps its own lists.
    private List<TOut>[]? _scratch;

    public override string Kind => "FusedStage";

    public override string Detail { get; } = detail;

    public override string Strategy => "one compiled loop per partition";

    public override IReadOnlyList<PlanNode> Children => [_child];

    public override Type ElementType => typeof(TOut);

    public void StartEager()
    {
        // Static join tables are loaded per batch: eager work would read the last batch's.
        if (_eager is null && tables.Count == 0 && _child is SourceNode { Source: IReceiverSource<TIn> source })
        {
            _eager = new EagerStage<TIn, TOut>(source.Receiver, loop);
        }
    }

    public override object? ComputeResult(BatchExecution batch) =>
        _eager is { } eager && batch.Records<TIn>(_child) is { } input && eager.TryCompute(input) is { } computed ? computed : Compute(batch);

    public override Array? Compute(BatchExecution batch)
    {
        if (batch.Records<TIn>(_child) is not { } input)
        {
            return null;
        }

        StaticJoinTable.LoadFor(tables, input.Count);
        var scratch = Interlocked.Exchange(ref _scratch, null) ?? [];
        var partitions = batch.PartitionCount(input.Count);
        if (scratch.Length < partitions)
        {
            Array.Resize(ref scratch, partitions);
        }

        // Which list a partition takes does not matter: the parts come back in range order.
        var taken = -1;
        var parts = batch.RunPartitions(input.Count, (start, end) =>
        {
            var part = scratch[Interlocked.Increment(ref taken)] ??= new List<TOut>(end - start);
            loop(input, start, end, part);
            return part;
        });

        // The records are handed to outputs and user code that may keep them: a fresh array of
        // their exact count, not zeroed first (every slot is written below).
        var result = GC.AllocateUninitializedArray<TOut>(parts.Sum(p => p.Count));
        var offset = 0;
        foreach (var part in parts)
        {
            part.CopyTo(result, offset);
            offset += part.Count;
            Trim(part);
        }

        _scratch = scratch;
        return result;
    }

    /// <summary>Lets a list's memory go once it is far larger than this batch needed, so one burst does not keep it.</summary>
    private static void Trim(List<TOut> part)
    {
        if (part.Capacity > 4 * Math.Max(part.Count, 1024))
        {
            part.Capacity = part.Count;
        }

        part.Clear();
    }
}
