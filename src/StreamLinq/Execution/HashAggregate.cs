using System.Linq.Expressions;
using StreamLinq.Query;

namespace StreamLinq.Execution;

/// <summary>
/// A grouped aggregation in one pass: each partition runs one compiled loop that applies the
/// fused Where/Select/SelectMany prefix, finds the record's group slot and updates every
/// aggregate in place; the partitions' partial tables are then merged and each group's result
/// projected. No group is ever materialised as a list of records.
/// </summary>
internal sealed class HashAggregate<TIn, TKey, TOut> : PlanNode
{
    private readonly PlanNode _child;
    private readonly List<StaticJoinTable> _tables = [];
    private readonly HashAggregatePlanner _aggregation;
    private readonly Action<TIn[], int, int, GroupTable<TKey>> _accumulate;
    private readonly Func<GroupTable<TKey>, int, TOut> _project;

    public HashAggregate(PlanNode child, IReadOnlyList<MethodCallExpression> prefix, HashAggregatePlanner aggregation)
    {
        _child = child;
        _aggregation = aggregation;
        FusedPrefix = prefix.Count == 0 ? null : PlanText.Chain(prefix);
        Detail = aggregation.Detail + "; partial aggregates per partition";

        var items = Expression.Parameter(typeof(TIn[]), "items");
        var start = Expression.Parameter(typeof(int), "start");
        var end = Expression.Parameter(typeof(int), "end");
        var table = aggregation.Table;
        var columnTypes = aggregation.Aggregates.Select(a => a.ColumnType).Prepend(typeof(SumColumn<long>)).ToArray();
        var columns = columnTypes.Select((type, i) => Expression.Variable(type, "column" + i)).ToArray();
        // A wide sum's loop adds into its Low array and counts wraps in its Carry array.
        var wide = columnTypes.Select(type => type == typeof(WideSumColumn)).ToArray();
        var values = columnTypes.Select((type, i) => Expression.Variable(wide[i] ? typeof(long[]) : type.GetField("Values")!.FieldType, "values" + i)).ToArray();
        var carries = columnTypes.Select((type, i) => wide[i] ? Expression.Variable(typeof(long[]), "carries" + i) : null).ToArray();
        var load = columns.Select((column, i) => (Expression)Expression.Block(
            Expression.Assign(column, Expression.Convert(Expression.ArrayIndex(Expression.Field(table, nameof(GroupTable<TKey>.Columns)), Expression.Constant(i)), column.Type)),
            Expression.Assign(values[i], Expression.Field(column, wide[i] ? nameof(WideSumColumn.Low) : "Values")),
            carries[i] is { } carry ? Expression.Assign(carry, Expression.Field(column, nameof(WideSumColumn.Carry))) : Expression.Empty()));
        var loop = FusedLoopBuilder.Loop(items, start, end, prefix, value => aggregation.Accumulate(value, columns, values, carries), _tables);
        _accumulate = Expression.Lambda<Action<TIn[], int, int, GroupTable<TKey>>>(
            Expression.Block(columns.Concat(values).Concat(carries.OfType<ParameterExpression>()), load.Append(loop)),
            items,
            start,
            end,
            table).Compile();
        _project = Expression.Lambda<Func<GroupTable<TKey>, int, TOut>>(aggregation.Result, table, aggregation.Slot).Compile();
    }

    public override string Kind => "HashAggregate";

    public override string Detail { get; }

    public override string? FusedPrefix { get; }

    public override IReadOnlyList<PlanNode> Children => [_child];

    public override Type ElementType => typeof(TOut);

    public override Array? Compute(BatchExecution batch)
    {
        if (batch.Evaluate(_child) is not TIn[] input)
        {
            return null;
        }

        return Project(Accumulate(input, batch), include: null);
    }

    /// <summary>The child node, whose records the aggregation reads.</summary>
    public PlanNode Child => _child;

    /// <summary>The aggregation this node computes.</summary>
    public HashAggregatePlanner Aggregation => _aggregation;

    /// <summary>
    /// The partial aggregates of <paramref name="input"/>: one table, merged from the partitions'
    /// in partition order. Windowed aggregations keep these per batch and combine them across batches.
    /// </summary>
    /// <remarks>
    /// A floating-point sum depends on where the batch is cut, so with one the cut does not depend
    /// on the degree of parallelism (<see cref="BatchExecution.RunPartitions"/>): the same records
    /// give the same bits on every machine, and a replayed batch reproduces them.
    /// </remarks>
    public GroupTable<TKey> Accumulate(TIn[] input, BatchExecution batch)
    {
        StaticJoinTable.LoadFor(_tables, input.Length);
        var tables = batch.RunPartitions(
            input.Length,
            (start, end) =>
            {
                var table = new GroupTable<TKey>(_aggregation.NewColumns());
                _accumulate(input, start, end, table);
                table.Seal();
                return table;
            },
            fixedChunks: _aggregation.SumsFloatingPoint);
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
                all[slot] = _project(table, slot);
            }

            return all;
        }

        var result = new List<TOut>(table.Count);
        for (var slot = 0; slot < table.Count; slot++)
        {
            if (include(slot))
            {
                result.Add(_project(table, slot));
            }
        }

        return result.ToArray();
    }
}
