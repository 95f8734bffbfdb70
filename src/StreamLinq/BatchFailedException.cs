namespace StreamLinq;

/// <summary>A batch failed: user code or a source threw while the batch was processed.</summary>
public sealed class BatchFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="time">The batch that failed.</param>
    /// <param name="operation">The operator or output operation that threw.</param>
    /// <param name="innerException">What it threw.</param>
    public BatchFailedException(BatchTime time, string operation, Exception innerException)
        : this(time, operation, innerException, BatchStage.Operator)
    {
    }

    /// <summary>Creates the exception for a failure at a given stage of the batch.</summary>
    /// <param name="time">The batch that failed.</param>
    /// <param name="operation">The operator, source or output operation that threw.</param>
    /// <param name="innerException">What it threw.</param>
    /// <param name="stage">Where in the batch's processing it threw.</param>
    public BatchFailedException(BatchTime time, string operation, Exception innerException, BatchStage stage)
        : base($"Batch {time} failed in {operation}: {innerException.GetType().Name}: {Monitoring.Redaction.Redact(innerException.Message)}", innerException)
    {
        Time = time;
        Operation = operation;
        Stage = stage;
    }

    /// <summary>The batch that failed.</summary>
    public BatchTime Time { get; }

    /// <summary>The operator or output operation that threw, as <c>Explain</c> names it.</summary>
    public string Operation { get; }

    /// <summary>Where in the batch's processing the failure happened; user code in the plan for the three-argument constructor.</summary>
    public BatchStage Stage { get; }
}
