namespace StreamLinq.Execution;

/// <summary>
/// A node that emits at its window's slide times and covers whole batches: the batch interval
/// in force must divide its length and slide, or slide times would fall inside a batch.
/// </summary>
internal interface IWindowedOperator
{
    WindowSpec Window { get; }
}
