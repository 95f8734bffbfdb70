using System.Linq.Expressions;
using StreamLinq.Query;

namespace StreamLinq.Execution;

/// <summary>
/// A per-batch global aggregate (Count, Sum, Min, Max, Average) in one compiled loop per
/// partition: the fused Where/Select/SelectMany prefix, then an accumulator update with the
/// selector inlined. Nothing is materialised; each partition yields a count and an accumulator,
/// which are merged in partition order.
/// </summary>
internal sealed class BatchAggregate<TIn, TStorage, TOut> : PlanNode
{
    private readonly PlanNode _child;
    private readonly List<StaticJoinTable> _tables = [];
    private readonly bool _yieldsOnEmpty;

    // A floating-point sum depends on where the batch is cut: the cut must not depend on the machine.
    private readonly bool _fixedChunks;
    private readonly Func<TIn[], int, int, Partial> _loop;
    private readonly Func<TStorage, TStorage, TStorage> _combine;
    private readonly Func<TStorage, long, TOut> _finish;

    public BatchAggregate(PlanNode child, IReadOnlyList<MethodCallExpression> prefix, BatchAggregatePlanner aggregation)
    {
        _child = child;
        _yieldsOnEmpty = aggregation.YieldsOnEmpty;
        _fixedChunks = aggregation.SumsFloatingPoint;
        FusedPrefix = prefix.Count == 0 ? null : PlanText.Chain(prefix);
        Detail = aggregation.Detail;

        var items = Expression.Parameter(typeof(TIn[]), "items");
        var start = Expression.Parameter(typeof(int), "start");
        var end = Expression.Parameter(typeof(int), "end");
        var count = Expression.Variable(typeof(long), "count");
        var accumulator = Expression.Variable(typeof(TStorage), "accumulator");
        var low = Expression.Variable(typeof(long), "low");
        var carry = Expression.Variable(typeof(long), "carry");
        var wide = aggregation.AccumulatesWithCarry;
        var loop = FusedLoopBuilder.Loop(items, start, end, prefix, value => Expression.Block(
            Expression.PreIncrementAssign(count),
            wide ? aggregation.UpdateWide(value, low, carry) : aggregation.Update(value, count, accumulator)), _tables);
        _loop = Expression.Lambda<Func<TIn[], int, int, Partial>>(
            Expression.Block(
                [count, accumulator, low, carry],
                Expression.Assign(count, Expression.Constant(0L)),
                Expression.Assign(accumulator, Expression.Default(typeof(TStorage))),
                Expression.Assign(low, Expression.Constant(0L)),
                Expression.Assign(carry, Expression.Constant(0L)),
                loop,
                wide ? Expression.Assign(accumulator, Expression.Call(typeof(WideSum).GetMethod(nameof(WideSum.Join))!, low, carry)) : Expression.Empty(),
                Expression.New(typeof(Partial).GetConstructors()[0], count, accumulator)),
            items,
            start,
            end).Compile();
        _combine = (Func<TStorage, TStorage, TStorage>)aggregation.Combine().Compile();
        _finish = (Func<TStorage, long, TOut>)aggregation.Finish().Compile();
    }

    public override string Kind => "BatchAggregate";

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

        StaticJoinTable.LoadFor(_tables, input.Length);
        var partials = batch.RunPartitions(input.Length, (start, end) => _loop(input, start, end), _fixedChunks);
        var total = partials[0];
        for (var p = 1; p < partials.Length; p++)
        {
            var next = partials[p];
            total = total.Count == 0 ? next
                : next.Count == 0 ? total
                : new Partial(checked(total.Count + next.Count), _combine(total.Value, next.Value));
        }

        return total.Count == 0 && !_yieldsOnEmpty ? Array.Empty<TOut>() : [_finish(total.Value, total.Count)];
    }

    /// <summary>One partition's result: how many values it aggregated, and their accumulator.</summary>
    internal readonly record struct Partial(long Count, TStorage Value);
}
