namespace StreamLinq.Execution;

/// <summary>
/// <c>OrderBy(...)[.ThenBy(...)...].Take(k)</c> (any mix of ascending and descending keys) as a
/// bounded heap of the k records that come first: one comparison with the heap's last record for
/// most records, then the k kept records sorted. Stable as LINQ's OrderBy: records with equal
/// keys keep their arrival order, so the result is exactly LINQ to Objects' result. Per batch;
/// no state.
/// </summary>
/// <param name="input">The records to order.</param>
/// <param name="count">k; zero or less keeps nothing.</param>
/// <param name="compare">The key chain's comparison (keys read from both records, descending keys inverted).</param>
/// <param name="detail">The operators, as the query wrote them.</param>
internal sealed class TopK<T>(PlanNode input, int count, Func<T, T, int> compare, string detail) : PlanNode
{
    private readonly PlanNode _input = input;

    public override string Kind => "TopK";

    public override string Detail { get; } = detail;

    public override string Strategy => $"a bounded heap of {count} records, ties in arrival order";

    public override IReadOnlyList<PlanNode> Children => [_input];

    public override Type ElementType => typeof(T);

    public override Array? Compute(BatchExecution batch)
    {
        if (batch.Evaluate(_input) is not T[] records)
        {
            return null;
        }

        var k = Math.Min(count, records.Length);
        if (k <= 0)
        {
            return Array.Empty<T>();
        }

        // A max-heap by (keys, arrival): its root is the record that would come last of those kept.
        var heap = new T[k];
        var arrival = new int[k];
        var size = 0;
        for (var i = 0; i < records.Length; i++)
        {
            var record = records[i];
            if (size < k)
            {
                SiftUp(heap, arrival, size++, record, i);
            }
            else if (compare(record, heap[0]) < 0)
            {
                // A later record with an equal key comes after the root, so only a strictly smaller one enters.
                SiftDown(heap, arrival, size, record, i);
            }
        }

        var order = new int[k];
        for (var p = 0; p < k; p++)
        {
            order[p] = p;
        }

        Array.Sort(order, (a, b) => Compare(heap[a], arrival[a], heap[b], arrival[b]));
        var result = new T[k];
        for (var p = 0; p < k; p++)
        {
            result[p] = heap[order[p]];
        }

        return result;
    }

    private int Compare(T a, int arrivalA, T b, int arrivalB)
    {
        var c = compare(a, b);
        return c != 0 ? c : arrivalA.CompareTo(arrivalB);
    }

    private void SiftUp(T[] heap, int[] arrival, int position, T record, int at)
    {
        while (position > 0)
        {
            var parent = (position - 1) / 2;
            if (Compare(record, at, heap[parent], arrival[parent]) <= 0)
            {
                break;
            }

            heap[position] = heap[parent];
            arrival[position] = arrival[parent];
            position = parent;
        }

        heap[position] = record;
        arrival[position] = at;
    }

    private void SiftDown(T[] heap, int[] arrival, int size, T record, int at)
    {
        var position = 0;
        while (true)
        {
            var child = (2 * position) + 1;
            if (child >= size)
            {
                break;
            }

            if (child + 1 < size && Compare(heap[child + 1], arrival[child + 1], heap[child], arrival[child]) > 0)
            {
                child++;
            }

            if (Compare(heap[child], arrival[child], record, at) <= 0)
            {
                break;
            }

            heap[position] = heap[child];
            arrival[position] = arrival[child];
            position = child;
        }

        heap[position] = record;
        arrival[position] = at;
    }
}
