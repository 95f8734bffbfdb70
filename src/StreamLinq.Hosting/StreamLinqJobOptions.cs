namespace StreamLinq.Hosting;

/// <summary>
/// One job's settings, bound from configuration section <c>StreamLinq:Jobs:&lt;job name&gt;</c>
/// (e.g. <c>appsettings.json</c>) and validated when the host starts: a bad value fails the start
/// with a message naming the setting's configuration path. Fixed for the job's life.
/// </summary>
public sealed class StreamLinqJobOptions
{
    /// <summary>The batch interval, from 10 ms to 24 h; 1 second by default.</summary>
    public TimeSpan BatchInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The checkpoint store: a directory, for <c>StreamingContext.GetOrCreate</c> (the job is
    /// defined afresh and resumes from the newest valid checkpoint). No checkpointing when null.
    /// </summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>Back pressure (<see cref="StreamingOptions.BackPressure"/>); off by default.</summary>
    public bool BackPressure { get; set; }

    /// <summary>How many sealed batches may wait (<see cref="StreamingOptions.MaxQueuedBatches"/>); 2 by default.</summary>
    public int MaxQueuedBatches { get; set; } = 2;

    /// <summary>Whether a failed batch stops the job (<see cref="StreamingOptions.StopOnBatchFailure"/>); true by default.</summary>
    public bool StopOnBatchFailure { get; set; } = true;

    /// <summary>
    /// How long a graceful stop may drain before it turns abrupt
    /// (<see cref="StreamingOptions.GracefulStopTimeout"/>). Whatever it is, the host's shutdown
    /// timeout bounds it: a graceful stop still running when the host's stop token fires turns
    /// abrupt, and says so in the log.
    /// </summary>
    public TimeSpan? GracefulStopTimeout { get; set; }

    /// <summary>The receivers' limits, handed to the job's definition as <see cref="StreamLinqJob.ReceiverOptions"/>.</summary>
    public ReceiverLimits Receiver { get; set; } = new();

    /// <summary>
    /// The health check reports the job unhealthy when a batch has waited longer than this to
    /// start (the scheduling delay of the last batch, or the wait of the oldest queued one);
    /// 10 batch intervals by default.
    /// </summary>
    public TimeSpan? MaxSchedulingDelay { get; set; }

    /// <summary>
    /// How long the health check keeps reporting the job unhealthy after a batch failed (later
    /// batches succeeding or not); 1 minute by default. A failure that stopped the job keeps it
    /// unhealthy for good.
    /// </summary>
    public TimeSpan FailedBatchWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The job's name, used as <see cref="StreamingOptions.JobName"/> (metrics' <c>job</c> tag); the registered name when null.</summary>
    public string? JobName { get; set; }
}
