namespace StreamLinq;

/// <summary>What happened to one batch: Spark's <c>BatchInfo</c>.</summary>
/// <param name="Time">The batch time.</param>
/// <param name="SubmissionTime">
/// When the batch was sealed and queued, in clock ticks; for a batch whose seal a full queue held
/// back (<see cref="StreamingOptions.MaxQueuedBatches"/>), its batch time, so that the hold counts
/// as scheduling delay.
/// </param>
/// <param name="ProcessingStartTime">When processing began, in clock ticks; null while queued.</param>
/// <param name="ProcessingEndTime">When processing ended, in clock ticks; null until then.</param>
/// <param name="RecordCount">How many input records the batch holds; null until its inputs are read.</param>
/// <param name="Failure">The error that failed the batch, if it failed.</param>
/// <param name="Inputs">Records read per source; set when the batch completes (null before, and for sources it never read).</param>
/// <param name="Outputs">Each output operation that wrote the batch, with its time; set when the batch completes.</param>
public sealed record BatchInfo(
    BatchTime Time,
    long SubmissionTime,
    long? ProcessingStartTime = null,
    long? ProcessingEndTime = null,
    long? RecordCount = null,
    Exception? Failure = null,
    IReadOnlyList<BatchInputInfo>? Inputs = null,
    IReadOnlyList<OutputOperationInfo>? Outputs = null)
{
    /// <summary>
    /// The batch interval in force when the batch was cut. It changes at a batch boundary
    /// (<see cref="StreamingContext.SetBatchIntervalAsync"/>, adaptive batching); the first batch
    /// under a new interval ends at the first multiple of it after the boundary, so it may hold
    /// less time than the interval.
    /// </summary>
    public TimeSpan Interval { get; init; }

    /// <summary>How long the batch waited in the queue before processing began.</summary>
    public TimeSpan? SchedulingDelay => ProcessingStartTime is { } start ? TimeSpan.FromTicks(start - SubmissionTime) : null;

    /// <summary>How long processing took: reading the inputs, running the plan and every output operation.</summary>
    public TimeSpan? ProcessingDelay => (ProcessingStartTime, ProcessingEndTime) is ({ } start, { } end) ? TimeSpan.FromTicks(end - start) : null;

    /// <summary>Scheduling delay plus processing delay.</summary>
    public TimeSpan? TotalDelay => ProcessingEndTime is { } end ? TimeSpan.FromTicks(end - SubmissionTime) : null;
}
