using StreamLinq.Sources;

namespace StreamLinq.Execution;

/// <summary>
/// A grouped aggregation in one pass: each partition runs one compiled loop that applies the
/// fused Where/Select/SelectMany prefix, finds the record's group slot and updates every
/// aggregate in place; the partitions' partial tables are then merged and each group's result
/// projected. No group is ever materialised as a list of records.
/// </summary>
/// <remarks>The planner's compiler builds the loop and the projection (<c>Query/PlanCompiler</c>); this node runs them.</remarks>
/// <param name="child">The node whose records the aggregation reads.</param>
/// <param name="accumulate">Adds records <c>[start, end)</c> of the batch (walking their segments) into the table: the fused prefix, then each record's aggregates.</param>
/// <param name="project">A group's result from its slot of a table.</param>
/// <param name="newColumns">The columns of an empty table: the record count, then one per aggregate.</param>
/// <param name="sumsFloatingPoint">Whether an aggregate is a floating-point sum or average, whose bits depend on where the batch is cut.</param>
/// <param name="joinTables">The static join tables the loop reads, loaded before each batch's loops run.</param>
/// <param name="detail">The key and aggregates, as the query wrote them.</param>
internal sealed class HashAggregate<TIn, TKey, TOut>(
    PlanNode child,
    Action<BatchRecords<TIn>, int, int, GroupTable<TKey>> accumulate,
    Func<GroupTable<TKey>, int, TOut> project,
    Func<AggregateColumn[]> newColumns,
    bool sumsFloatingPoint,
    IReadOnlyList<StaticJoinTable> joinTables,
    string detail) : PlanNode
{
    private readonly PlanNode _child = child;

    public override string Kind => "HashAggregate";

    public override string Detail { get; } = detail + "; partial aggregates per partition";

    public override string Strategy => "partial aggregates per partition, merged in partition order";

    public override IReadOnlyList<PlanNode> Children => [_child];

    public override Type ElementType => typeof(TOut);

    public override Array? Compute(BatchExecution batch)
    {
        if (batch.Records<TIn>(_child) is not { } input)
        {
            return null;
        }

        return Project(Accumulate(input, batch), include: null);
    }

    /// <summary>The child node, whose records the aggregation reads.</summary>
    public PlanNode Child => _child;

    /// <summary>The columns of a new, empty group table: the record count (column 0), then one per aggregate.</summary>
    public AggregateColumn[] NewColumns() => newColumns();

    /// <summary>
    /// The partial aggregates of <paramref name="input"/>: one table, merged from the partitions'
    /// in partition order. Windowed aggregations keep these per batch and combine them across batches.
    /// </summary>
    /// <remarks>
    /// A floating-point sum depends on where the batch is cut, so with one the cut does not depend
    /// on the degree of parallelism (<see cref="BatchExecution.RunPartitions"/>): the same records
    /// give the same bits on every machine, and a replayed batch reproduces them.
    /// </remarks>
    public GroupTable<TKey> Accumulate(BatchRecords<TIn> input, BatchExecution batch)
    {
        StaticJoinTable.LoadFor(joinTables, input.Count);
        var tables = batch.RunPartitions(
            input.Count,
            (start, end) =>
            {
                var table = new GroupTable<TKey>(newColumns());
                accumulate(input, start, end, table);
                table.Seal();
                return table;
            },
            fixedChunks: sumsFloatingPoint);
        var merged = tables[0];
        for (var p = 1; p < tables.Length; p++)
        {
            merged.MergeFrom(tables[p]);
        }

        return merged;
    }

    /// <summary>The result of every slot of <paramref name="table"/> that <paramref name="include"/> accepts (all when null), in slot order.</summary>
    public TOut[] Project(GroupTable<TKey> table, Func<int, bool>? include)
    {
        if (include is null)
        {
            var all = new TOut[table.Count];
            for (var slot = 0; slot < all.Length; slot++)
            {
                all[slot] = project(table, slot);
            }

            return all;
        }

        var result = new List<TOut>(table.Count);
        for (var slot = 0; slot < table.Count; slot++)
        {
            if (include(slot))
            {
                result.Add(project(table, slot));
            }
        }

        return result.ToArray();
    }
}
