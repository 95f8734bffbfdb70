namespace StreamLinq.Execution;

/// <summary>
/// A run of <c>Concat</c> (Spark's <c>union</c>): the inputs' records one after the other, copied
/// once into the batch's result (LINQ's Concat followed by ToArray walks iterators and grows a
/// buffer). Per batch; no state.
/// </summary>
internal sealed class ConcatNode<T>(IReadOnlyList<PlanNode> inputs, string detail) : PlanNode
{
    private readonly PlanNode[] _inputs = [.. inputs];

    public override string Kind => "Concat";

    public override string Detail { get; } = detail;

    public override string Strategy => "each input copied once into the result";

    public override IReadOnlyList<PlanNode> Children => _inputs;

    public override Type ElementType => typeof(T);

    public override Array? Compute(BatchExecution batch)
    {
        if (Arrays(batch, _inputs) is not { } arrays)
        {
            return null;
        }

        var total = 0L;
        foreach (var array in arrays)
        {
            total += array.Length;
        }

        var all = new T[checked((int)total)];
        var offset = 0;
        foreach (var array in arrays)
        {
            Array.Copy(array, 0, all, offset, array.Length);
            offset += array.Length;
        }

        return all;
    }

    /// <summary>The inputs' records for this batch, in input order; null when one has no batch at this time.</summary>
    internal static T[][]? Arrays(BatchExecution batch, PlanNode[] inputs)
    {
        var arrays = new T[inputs.Length][];
        for (var i = 0; i < inputs.Length; i++)
        {
            if (batch.Evaluate(inputs[i]) is not T[] input)
            {
                return null; // an input without a batch at this time (a window between slides)
            }

            arrays[i] = input;
        }

        return arrays;
    }
}
