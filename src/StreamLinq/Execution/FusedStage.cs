using System.Linq.Expressions;
using StreamLinq.Query;

namespace StreamLinq.Execution;

/// <summary>
/// A chain of Where, Select and SelectMany compiled into one loop per partition, with the
/// lambdas' bodies inlined: no delegate call and no intermediate collection per record.
/// </summary>
internal sealed class FusedStage<TIn, TOut> : PlanNode
{
    private readonly PlanNode _child;
    private readonly List<StaticJoinTable> _tables = [];
    private readonly Action<TIn[], int, int, List<TOut>> _loop;

    public FusedStage(PlanNode child, IReadOnlyList<MethodCallExpression> ops)
    {
        _child = child;
        Detail = PlanText.Chain(ops);
        var items = Expression.Parameter(typeof(TIn[]), "items");
        var start = Expression.Parameter(typeof(int), "start");
        var end = Expression.Parameter(typeof(int), "end");
        var output = Expression.Parameter(typeof(List<TOut>), "output");
        var add = typeof(List<TOut>).GetMethod(nameof(List<TOut>.Add))!;
        var body = FusedLoopBuilder.Loop(items, start, end, ops, value =>
            Expression.Call(output, add, value.Type == typeof(TOut) ? value : Expression.Convert(value, typeof(TOut))), _tables);
        _loop = Expression.Lambda<Action<TIn[], int, int, List<TOut>>>(body, items, start, end, output).Compile();
    }

    public override string Kind => "FusedStage";

    public override string Detail { get; }

    public override IReadOnlyList<PlanNode> Children => [_child];

    public override Type ElementType => typeof(TOut);

    public override Array? Compute(BatchExecution batch)
    {
        if (batch.Evaluate(_child) is not TIn[] input)
        {
            return null;
        }

        StaticJoinTable.LoadFor(_tables, input.Length);
        var parts = batch.RunPartitions(input.Length, (start, end) =>
        {
            var part = new List<TOut>(end - start);
            _loop(input, start, end, part);
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
