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
    /// The job's checkpoints, in a store every silo reaches (<c>PostgresCheckpointStore</c>,
    /// <c>RedisCheckpointStore</c>): before each batch the driver writes a record (the sources'
    /// positions, the batch's offsets and those of the batches since the reducers' last state, its
    /// epoch), and every <see cref="CheckpointEvery"/> batches each reducer writes its key
    /// partition's state there itself. A driver activated anywhere (after its silo died, or by
    /// <see cref="IStreamJob.StartAsync"/>) reads the newest record whose reducer parts are all
    /// written and goes on from it. Null: no checkpoints and no failover; a job started again
    /// begins from its sources' initial positions, and a reducer that loses its activation starts
    /// empty (reported in <see cref="StreamJobStatus.Failures"/>).
    /// </summary>
    public ICheckpointStore? CheckpointStore { get; set; }

    /// <summary>
    /// How often (in batches) the reducers write their keyed state to <see cref="CheckpointStore"/>.
    /// Between two, the driver keeps each batch's offsets so that a reducer restored from the last
    /// state takes in the batches after it again (outputs off); a larger value writes state less
    /// often and replays more after a failure. Default 1.
    /// </summary>
    public int CheckpointEvery { get; set; } = 1;

    /// <summary>
    /// How many times a batch is tried when a task fails for a reason a retry can get past (a
    /// silo died, a message timed out, a store or sink is unreachable) before the job stops.
    /// User code that throws stops the job at once. Default 10.
    /// </summary>
    public int MaxBatchAttempts { get; set; } = 10;

    /// <summary>The wait before a batch's second attempt; it doubles for each further one, up to 5 seconds. Default 200 ms.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Speculation (Spark's): once half of a batch's map tasks are done, a task still running after
    /// this multiple of their median time (and at least <see cref="SpeculationMinimum"/>) is sent
    /// again to a second executor of its partition; the first copy to finish is used, and reducers
    /// keep one partial per task. Null (the default): off.
    /// </summary>
    public double? SpeculationMultiplier { get; set; }

    /// <summary>A task is never speculated before it has run this long. Default 100 ms.</summary>
    public TimeSpan SpeculationMinimum { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The engine's settings for the job's context (parallelism inside a task, time-outs); its
    /// <see cref="StreamingOptions.TimeProvider"/> is the driver's clock, which decides when each
    /// batch is due. <see cref="StreamingOptions.JobName"/> is set to the job's name.
    /// </summary>
    public StreamingOptions Streaming { get; set; } = new();
}
