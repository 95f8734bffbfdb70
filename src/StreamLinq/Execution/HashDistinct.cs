namespace StreamLinq.Execution;

/// <summary>
/// <c>Distinct</c>, <c>Union</c> and any run of <c>Concat</c>, <c>Union</c> and <c>Distinct</c>
/// that ends in a <c>Union</c> or <c>Distinct</c>: the records of the inputs, in input order,
/// each kept the first time it is seen, by one hash set over the inputs' arrays read in place
/// (no concatenated copy). This is LINQ to Objects' result, order included: those operators only
/// ever drop a later duplicate, so their first occurrences are those of the plain concatenation.
/// Per batch; the set is dropped after the batch.
/// </summary>
internal sealed class HashDistinct<T>(IReadOnlyList<PlanNode> inputs, string detail) : PlanNode
{
    private readonly PlanNode[] _inputs = [.. inputs];

    public override string Kind => "HashDistinct";

    public override string Detail { get; } = detail;

    public override string Strategy => "one hash set over the inputs in place, first occurrences in order";

    public override IReadOnlyList<PlanNode> Children => _inputs;

    public override Type ElementType => typeof(T);

    public override Array? Compute(BatchExecution batch)
    {
        if (ConcatNode<T>.Arrays(batch, _inputs) is not { } arrays)
        {
            return null;
        }

        var seen = new HashSet<T>();
        var kept = new List<T>();
        foreach (var array in arrays)
        {
            foreach (var record in array)
            {
                if (seen.Add(record))
                {
                    kept.Add(record);
                }
            }
        }

        return kept.ToArray();
    }
}
