using System.Linq.Expressions;
using StreamLinq.Execution;
using StreamLinq.Query.Logical;
using StreamLinq.Sources;
using static StreamLinq.Query.ExpressionShapes;

namespace StreamLinq.Query;

/// <summary>The aggregations: their loops, with the chain below them fused in, and the windows they absorb.</summary>
internal sealed partial class PlanCompiler
{
    private PlanNode GroupAggregate<TIn, TKey, TOut>(LogicalNode node)
    {
        var aggregate = (GroupAggregateOperator)node;
        var (prefix, below, join) = LoopInput(aggregate.Input, absorb: true);
        return HashAggregateOver<TIn, TKey, TOut>(Compile(below), prefix, aggregate.Aggregation, JoinTable(join));
    }

    /// <summary>
    /// The chain an aggregate compiles into its own loop and the node its loop reads (see
    /// <see cref="Prefix"/>), with a join of two streams right below the chain taken in as the
    /// chain's first op: the loop then reads the join's outer records and probes the join's index
    /// (<see cref="StreamJoinTable"/>) inline, and no pair is materialised.
    /// </summary>
    private (IReadOnlyList<MethodCallExpression> Ops, LogicalNode Below, RelationalOperator? Join) LoopInput(LogicalNode input, bool absorb)
    {
        var (ops, below) = Prefix(input, absorb);
        if (below is not RelationalOperator relational || !IsStreamJoin(relational))
        {
            return (ops, below, null);
        }

        if (absorb)
        {
            _choices.TryAdd(relational, "HashJoin (its probe in the same compiled loop as the aggregate above; the smaller side's keys indexed per batch)");
        }

        return ([relational.Calls[0], .. ops], relational.Inputs[0], relational);
    }

    /// <summary>The build side of <paramref name="join"/> for the loop that probes it; null without a join.</summary>
    private StreamJoinTable? JoinTable(RelationalOperator? join)
    {
        if (join is null)
        {
            return null;
        }

        var call = join.Calls[0];
        var types = call.Method.GetGenericArguments();
        return (StreamJoinTable)Activator.CreateInstance(
            typeof(StreamJoinTable<,,>).MakeGenericType(types[0], types[1], types[2]),
            Compile(join.Inputs[1]),
            Lambda(call.Arguments[2]).Compile(),
            Lambda(call.Arguments[3]).Compile())!;
    }

    /// <summary>
    /// An aggregation directly over a window (a Map between them is per record, so it is applied
    /// to each batch before the batch enters the window): the window keeps one partial aggregate
    /// per batch instead of the batch's records.
    /// </summary>
    private PlanNode WindowedGroupAggregate<TIn, TKey, TOut>(LogicalNode node)
    {
        var aggregate = (GroupAggregateOperator)node;
        var (prefix, below) = Prefix(aggregate.Input, absorb: true);
        var window = (WindowOperator)below;
        _choices.TryAdd(window, "in the WindowedAggregate above: one partial aggregate per batch, not its records");
        var perBatch = HashAggregateOver<TIn, TKey, TOut>(Compile(window.Input), prefix, aggregate.Aggregation, streamJoin: null);
        var countsAndSumsOnly = aggregate.Aggregation.Aggregates.All(a => a.Kind is AggregateKind.Count or AggregateKind.CountIf or AggregateKind.Sum or AggregateKind.Average);
        return new WindowedAggregate<TIn, TKey, TOut>(perBatch, window.Window, countsAndSumsOnly);
    }

    /// <summary>
    /// <c>Window(...).Count()</c>: each batch's count enters the window once and is subtracted when
    /// it leaves, rather than counting the window's records at every slide.
    /// </summary>
    private WindowedReduce<long> WindowedCount(AggregateOperator aggregate, WindowOperator window)
    {
        var perBatchCall = Expression.Call(null, aggregate.Aggregation.Call.Method, ((MethodCallExpression)window.Tree).Arguments[0]);
        var perBatch = new AggregateOperator(perBatchCall, BatchAggregatePlanner.TryCreate(perBatchCall)!, window.Input);
        _choices.TryAdd(window, "in the WindowedReduce above: one count per batch, not its records");
        Expression<Func<long, long, long>> add = (a, b) => a + b;
        Expression<Func<long, long, long>> subtract = (a, b) => a - b;
        return new WindowedReduce<long>(Compile(perBatch), add.Compile(), subtract.Compile(), window.Window, $"{window.Window}; func: {PlanText.Of(add)}; inverse: {PlanText.Of(subtract)}");
    }

    private HashAggregate<TIn, TKey, TOut> HashAggregateOver<TIn, TKey, TOut>(PlanNode child, IReadOnlyList<MethodCallExpression> prefix, HashAggregatePlanner aggregation, StreamJoinTable? streamJoin)
    {
        var records = Expression.Parameter(typeof(BatchRecords<TIn>), "records");
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
        var tables = new List<StaticJoinTable>();
        var loop = FusedLoopBuilder.Loop(records, start, end, prefix, value => aggregation.Accumulate(value, columns, values, carries), tables, streamJoin);
        var accumulate = Expression.Lambda<Action<BatchRecords<TIn>, int, int, GroupTable<TKey>>>(
            Expression.Block(columns.Concat(values).Concat(carries.OfType<ParameterExpression>()), load.Append(loop)),
            records,
            start,
            end,
            table).Compile();
        var project = Expression.Lambda<Func<GroupTable<TKey>, int, TOut>>(aggregation.Result, table, aggregation.Slot).Compile();
        return new HashAggregate<TIn, TKey, TOut>(child, accumulate, project, aggregation.NewColumns, aggregation.SumsFloatingPoint, tables, streamJoin, aggregation.Detail);
    }

    private PlanNode GlobalAggregate<TIn, TStorage, TOut>(LogicalNode node)
    {
        var aggregate = (AggregateOperator)node;
        var aggregation = aggregate.Aggregation;
        var (prefix, below, join) = LoopInput(aggregate.Input, absorb: true);
        var streamJoin = JoinTable(join);
        var tables = new List<StaticJoinTable>();
        var loop = GlobalLoop<TIn, TStorage, TOut>(aggregation, prefix, tables, streamJoin, exact: !aggregation.SumsLong);

        // The exact form of a long sum is compiled only when a partition's checked sum overflows.
        var exact = aggregation.SumsLong ? new Lazy<Func<BatchRecords<TIn>, int, int, BatchAggregate<TIn, TStorage, TOut>.Partial>>(
            () => GlobalLoop<TIn, TStorage, TOut>(aggregation, prefix, tables, streamJoin, exact: true)) : null;
        return new BatchAggregate<TIn, TStorage, TOut>(
            Compile(below),
            loop,
            exact,
            (Func<TStorage, TStorage, TStorage>)aggregation.Combine().Compile(),
            (Func<TStorage, long, TOut>)aggregation.Finish().Compile(),
            aggregation.YieldsOnEmpty,
            aggregation.SumsFloatingPoint,
            tables,
            streamJoin,
            aggregation.Detail);
    }

    /// <summary>
    /// One partition's loop of a global aggregate. A <c>long</c> sum is kept in one checked
    /// <c>long</c> unless <paramref name="exact"/> (one add per value, which overflows when a
    /// partition's running sum leaves the range), else in two halves that cannot overflow
    /// (<see cref="WideSum.AddHalves"/>). <paramref name="tables"/> receives the loop's static join
    /// tables; a second loop over the same chain shares those the first collected.
    /// </summary>
    private static Func<BatchRecords<TIn>, int, int, BatchAggregate<TIn, TStorage, TOut>.Partial> GlobalLoop<TIn, TStorage, TOut>(
        BatchAggregatePlanner aggregation, IReadOnlyList<MethodCallExpression> prefix, List<StaticJoinTable> tables, StreamJoinTable? streamJoin, bool exact)
    {
        var records = Expression.Parameter(typeof(BatchRecords<TIn>), "records");
        var start = Expression.Parameter(typeof(int), "start");
        var end = Expression.Parameter(typeof(int), "end");
        var count = Expression.Variable(typeof(long), "count");
        var accumulator = Expression.Variable(typeof(TStorage), "accumulator");
        var low = Expression.Variable(typeof(long), "low");
        var high = Expression.Variable(typeof(long), "high");
        var halves = aggregation.SumsLong && exact;
        var body = FusedLoopBuilder.Loop(records, start, end, prefix, value => Expression.Block(
            aggregation.Counts ? Expression.PreIncrementAssign(count) : Expression.Empty(),
            halves ? aggregation.UpdateWide(value, low, high)
            : aggregation.SumsLong ? aggregation.UpdateChecked(value, low)
            : aggregation.Update(value, count, accumulator)), tables, streamJoin);
        return Expression.Lambda<Func<BatchRecords<TIn>, int, int, BatchAggregate<TIn, TStorage, TOut>.Partial>>(
            Expression.Block(
                [count, accumulator, low, high],

                // A partial that does not count is never empty: it merges as what it is, a sum.
                Expression.Assign(count, Expression.Constant(aggregation.Counts ? 0L : 1L)),
                Expression.Assign(accumulator, Expression.Default(typeof(TStorage))),
                Expression.Assign(low, Expression.Constant(0L)),
                Expression.Assign(high, Expression.Constant(0L)),
                body,
                halves ? Expression.Assign(accumulator, Expression.Call(typeof(WideSum).GetMethod(nameof(WideSum.JoinHalves))!, low, high))
                : aggregation.SumsLong ? Expression.Assign(accumulator, Expression.Convert(low, typeof(TStorage)))
                : Expression.Empty(),
                Expression.New(typeof(BatchAggregate<TIn, TStorage, TOut>.Partial).GetConstructors()[0], count, accumulator)),
            records,
            start,
            end).Compile();
    }
}
