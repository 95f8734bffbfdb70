using StreamLinq.Sources;

namespace StreamLinq.Execution;

/// <summary>
/// <c>OrderBy(...)[.ThenBy(...)...].Take(k)</c> (any mix of ascending and descending keys) as a
/// <see cref="BoundedHeap{T, TKey}"/> of the k records that come first, in one compiled loop per
/// partition that also runs the Where/Select chain below (nothing materialised before the heap):
/// for most records one inline comparison of the first key with the heap root's, then the kept
/// records sorted. Stable as LINQ's OrderBy: records with equal keys keep their arrival order, so
/// the result is exactly LINQ to Objects' result. Per batch; no state.
/// </summary>
/// <remarks>
/// Each partition keeps its own k in arrival order; the partitions' lists, concatenated in
/// partition order, are merged by a stable sort, so ties still come in arrival order.
/// </remarks>
/// <param name="input">The node whose records the loop reads.</param>
/// <param name="count">k; zero or less keeps nothing.</param>
/// <param name="loop">
/// Offers the ordered records from records <c>[from, end)</c> of the batch (walking their
/// segments) to the heap; returns <c>end</c>, or the index after a record whose value enters,
/// left as the heap's <see cref="BoundedHeap{T, TKey}.Pending"/> for the caller to offer before
/// it calls the loop again from there.
/// </param>
/// <param name="compare">The key chain's comparison (keys read from both records, descending keys inverted).</param>
/// <param name="tables">The static join tables the loop reads, loaded before each batch's loops run.</param>
/// <param name="detail">The operators, as the query wrote them.</param>
internal sealed class TopK<TIn, T, TKey>(
    PlanNode input,
    int count,
    Func<BatchRecords<TIn>, int, int, BoundedHeap<T, TKey>, int> loop,
    Func<T, T, int> compare,
    IReadOnlyList<StaticJoinTable> tables,
    string detail) : PlanNode
{
    private readonly PlanNode _input = input;

    public override string Kind => "TopK";

    public override string Detail { get; } = detail;

    public override string Strategy => $"a bounded heap of {count} records, ties in arrival order";

    public override IReadOnlyList<PlanNode> Children => [_input];

    public override Type ElementType => typeof(T);

    public override Array? Compute(BatchExecution batch)
    {
        if (batch.Records<TIn>(_input) is not { } records)
        {
            return null;
        }

        if (count <= 0 || records.Count == 0)
        {
            return Array.Empty<T>();
        }

        StaticJoinTable.LoadFor(tables, records.Count);
        var parts = batch.RunPartitions(records.Count, (start, end) =>
        {
            var heap = new BoundedHeap<T, TKey>(count, compare);
            var from = start;
            do
            {
                from = loop(records, from, end, heap);
            }
            while (heap.OfferPending());

            return heap.Sorted();
        });
        if (parts.Length == 1)
        {
            return parts[0];
        }

        var all = parts.SelectMany(part => part).ToArray();
        var order = Enumerable.Range(0, all.Length).ToArray();
        Array.Sort(order, (a, b) => compare(all[a], all[b]) is var c and not 0 ? c : a.CompareTo(b));
        return order.Take(count).Select(p => all[p]).ToArray();
    }
}
