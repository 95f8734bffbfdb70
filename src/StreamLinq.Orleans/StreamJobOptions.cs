using StreamLinq.Checkpointing;

namespace StreamLinq.Orleans;

/// <summary>
/// How a cluster job runs: its batch interval, how many key partitions (reducers) its shuffles
/// hash into, where its driver checkpoints, and the engine's settings. Every silo must register
/// a job with the same options (they are read where each grain activates).
/// </summary>
public sealed class StreamJobOptions
{
    /// <summary>The batch interval (the driver cuts a batch every interval). Default 1 second.</summary>
    public TimeSpan BatchInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many key partitions, one reducer grain each, keyed operators are split into. Default 8.</summary>
    public int KeyPartitions { get; set; } = 8;

    /// <summary>
    /// Where the driver writes a checkpoint after every batch (the sources' positions, the last
    /// completed batch and its epoch) and reads the newest at start: a store every silo reaches
    /// (<c>PostgresCheckpointStore</c>, <c>RedisCheckpointStore</c>). Null: no checkpoints; a job
    /// started again begins from its sources' initial positions.
    /// </summary>
    public ICheckpointStore? CheckpointStore { get; set; }

    /// <summary>
    /// The engine's settings for the job's context (parallelism inside a task, time-outs); its
    /// <see cref="StreamingOptions.TimeProvider"/> is the driver's clock, which decides when each
    /// batch is due. <see cref="StreamingOptions.JobName"/> is set to the job's name.
    /// </summary>
    public StreamingOptions Streaming { get; set; } = new();
}
