using System.Buffers;

namespace StreamLinq.Execution;

/// <summary>
/// An equi-join of two streams' batches (<c>outer.Join(inner, outerKey, innerKey, result)</c>),
/// as a hash join: the smaller side of the batch is built into a <see cref="JoinIndex{TKey}"/>
/// and the other side probes it. The result is exactly LINQ to Objects' Join, order included:
/// outer records in order, each followed by its inner matches in order; null keys never match.
/// </summary>
/// <remarks>
/// When the inner side is the smaller one, the outer side probes in partitions (in parallel),
/// each writing its matches at its place in one result array of the exact size. When the outer side is smaller it is built
/// instead, the inner side probes it, and the matched pairs are put back in LINQ's order by a
/// counting sort on the outer index before the result selector runs, so the selector sees the
/// pairs in the order LINQ would call it with. Per batch; no state across batches.
/// </remarks>
internal sealed class HashJoin<TOuter, TInner, TKey, TResult>(
    PlanNode outer,
    PlanNode inner,
    Func<TOuter, TKey> outerKey,
    Func<TInner, TKey> innerKey,
    Func<TOuter, TInner, TResult> result,
    string detail) : PlanNode
{
    private readonly PlanNode[] _inputs = [outer, inner];

    public override string Kind => "HashJoin";

    public override string Detail { get; } = detail;

    public override string Strategy => "the smaller side of each batch built into a hash index, the other side probes it";

    public override IReadOnlyList<PlanNode> Children => _inputs;

    public override Type ElementType => typeof(TResult);

    public override Array? Compute(BatchExecution batch)
    {
        if (batch.Evaluate(_inputs[0]) is not TOuter[] outerRows || batch.Evaluate(_inputs[1]) is not TInner[] innerRows)
        {
            return null;
        }

        if (outerRows.Length == 0 || innerRows.Length == 0)
        {
            return Array.Empty<TResult>();
        }

        return innerRows.Length <= outerRows.Length ? ProbeWithOuter(batch, outerRows, innerRows) : ProbeWithInner(outerRows, innerRows);
    }

    private TResult[] ProbeWithOuter(BatchExecution batch, TOuter[] outerRows, TInner[] innerRows)
    {
        var index = JoinIndex<TKey>.Build(innerRows, innerKey);

        // Two passes over each partition, so the result is written once into an array of its
        // exact size: a join's output is often several times its input, and growing lists of it
        // (then copying them into the result) cost more than walking the matches twice. The first
        // pass keeps each record's first match, so each key selector runs once per record.
        var firsts = ArrayPool<int>.Shared.Rent(outerRows.Length);
        try
        {
            var counts = batch.RunPartitions(outerRows.Length, (start, end) =>
            {
                var count = 0L;
                for (var i = start; i < end; i++)
                {
                    var j = firsts[i] = index.First(outerKey(outerRows[i]));
                    for (; j >= 0; j = index.Next(j))
                    {
                        count++;
                    }
                }

                return (Start: start, Count: count);
            });
            var offsets = new Dictionary<int, int>(counts.Length);
            var total = 0L;
            foreach (var (start, count) in counts)
            {
                offsets[start] = (int)total;
                total += count;
            }

            var results = new TResult[checked((int)total)];
            batch.RunPartitions(outerRows.Length, (start, end) =>
            {
                var at = offsets[start];
                for (var i = start; i < end; i++)
                {
                    for (var j = firsts[i]; j >= 0; j = index.Next(j))
                    {
                        results[at++] = result(outerRows[i], innerRows[j]);
                    }
                }

                return at;
            });
            return results;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(firsts);
        }
    }

    private TResult[] ProbeWithInner(TOuter[] outerRows, TInner[] innerRows)
    {
        var index = JoinIndex<TKey>.Build(outerRows, outerKey);
        var outerOf = new List<int>();
        var innerOf = new List<int>();
        var perOuter = new int[outerRows.Length + 1];
        for (var j = 0; j < innerRows.Length; j++)
        {
            for (var i = index.First(innerKey(innerRows[j])); i >= 0; i = index.Next(i))
            {
                outerOf.Add(i);
                innerOf.Add(j);
                perOuter[i + 1]++;
            }
        }

        // Counting sort by outer index; within one outer record the inner indexes stay ascending
        // because the pairs were found in inner order.
        for (var i = 1; i < perOuter.Length; i++)
        {
            perOuter[i] += perOuter[i - 1];
        }

        var order = new int[outerOf.Count];
        for (var p = 0; p < outerOf.Count; p++)
        {
            order[perOuter[outerOf[p]]++] = p;
        }

        var results = new TResult[order.Length];
        for (var r = 0; r < order.Length; r++)
        {
            var p = order[r];
            results[r] = result(outerRows[outerOf[p]], innerRows[innerOf[p]]);
        }

        return results;
    }
}
