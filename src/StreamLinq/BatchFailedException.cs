namespace StreamLinq;

/// <summary>A batch failed: user code or a source threw while the batch was processed.</summary>
public sealed class BatchFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="time">The batch that failed.</param>
    /// <param name="operation">The operator or output operation that threw.</param>
    /// <param name="innerException">What it threw.</param>
    public BatchFailedException(BatchTime time, string operation, Exception innerException)
        : base($"Batch {time} failed in {operation}: {innerException.GetType().Name}: {innerException.Message}", innerException)
    {
        Time = time;
        Operation = operation;
    }

    /// <summary>The batch that failed.</summary>
    public BatchTime Time { get; }

    /// <summary>The operator or output operation that threw, as <c>Explain</c> names it.</summary>
    public string Operation { get; }
}
