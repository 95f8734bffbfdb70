using StreamLinq.Sources;

namespace StreamLinq.Execution;

/// <summary>
/// <c>Distinct</c>, <c>Union</c> and any run of <c>Concat</c>, <c>Union</c> and <c>Distinct</c>
/// that ends in a <c>Union</c> or <c>Distinct</c>: the records of the inputs, in input order,
/// each kept the first time it is seen, by one hash set. This is LINQ to Objects' result, order
/// included: those operators only ever drop a later duplicate, so their first occurrences are
/// those of the plain concatenation. Per batch; no state across batches (the set's storage is
/// reused, emptied, from one batch to the next; memory, not state, never checkpointed).
/// </summary>
/// <remarks>
/// Each input has its own compiled loop, which runs the Where/Select chain below the operator (if
/// any) and adds each resulting record to the set in the same pass: a projected key is hashed
/// where it is computed, never materialised first. The set is a <see cref="GroupTable{TKey}"/>
/// without columns: its lookup inlines into the loop (a call to <c>HashSet.Add</c> per record
/// cost about three quarters of the loop's time), and its slots, in order of first appearance,
/// are the result. One loop over the whole batch, since the first occurrences depend on
/// everything before them.
/// </remarks>
/// <param name="inputs">The nodes whose records the loops read, in the query's order.</param>
/// <param name="fetch">For each input, its records for the batch (its segments, for a source), or null when it has no batch at this time.</param>
/// <param name="loops">For each input, the loop that adds its records (after its chain) to the set.</param>
/// <param name="tables">The static join tables the loops read, loaded before each batch's loops run.</param>
/// <param name="detail">The operators, as the query wrote them.</param>
internal sealed class HashDistinct<T>(
    IReadOnlyList<PlanNode> inputs,
    IReadOnlyList<Func<BatchExecution, BatchRecords?>> fetch,
    IReadOnlyList<Action<BatchRecords, GroupTable<T>>> loops,
    IReadOnlyList<StaticJoinTable> tables,
    string detail) : PlanNode
{
    private readonly PlanNode[] _inputs = [.. inputs];
    private GroupTable<T>? _spare;

    public override string Kind => "HashDistinct";

    public override string Detail { get; } = detail;

    public override string Strategy => "one hash set filled in the loop of the chain below, first occurrences in order";

    public override IReadOnlyList<PlanNode> Children => _inputs;

    public override Type ElementType => typeof(T);

    public override Array? Compute(BatchExecution batch)
    {
        var inputs = new BatchRecords[_inputs.Length];
        var records = 0;
        for (var i = 0; i < _inputs.Length; i++)
        {
            if (fetch[i](batch) is not { } input)
            {
                return null; // an input without a batch at this time (a window between slides)
            }

            inputs[i] = input;
            records += input.Count;
        }

        StaticJoinTable.LoadFor(tables, records);
        var seen = Interlocked.Exchange(ref _spare, null) ?? new GroupTable<T>([]);
        try
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                loops[i](inputs[i], seen);
            }

            return seen.Keys.AsSpan(0, seen.Count).ToArray();
        }
        finally
        {
            seen.Reset(part: 0, parts: 0);
            _spare = seen;
        }
    }
}
