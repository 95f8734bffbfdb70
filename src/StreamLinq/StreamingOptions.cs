namespace StreamLinq;

/// <summary>Settings of a <see cref="StreamingContext"/>, fixed when it is created.</summary>
public sealed record StreamingOptions
{
    /// <summary>The clock that cuts batches: the system clock, or a <see cref="ManualClock"/> in tests.</summary>
    public StreamClock Clock { get; init; } = StreamClock.System;

    /// <summary>
    /// Whether a failed batch stops the context, surfacing the error from
    /// <see cref="StreamingContext.AwaitTerminationAsync"/> (the default). When false the failure is
    /// only reported to the listeners and the next batch runs.
    /// </summary>
    public bool StopOnBatchFailure { get; init; } = true;

    /// <summary>
    /// Whether back pressure is on: after every batch a PID controller (Spark 1.5's estimator)
    /// sets the receivers' rate to what the engine processed, lowered further by any backlog,
    /// never above each receiver's <see cref="ReceiverOptions.MaxRatePerSecond"/>. Off by default, as in Spark.
    /// </summary>
    public bool BackPressure { get; init; }

    /// <summary>How many partitions a large batch is split into; the number of cores by default.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>The fewest records worth a partition of their own; smaller batches run on one thread.</summary>
    public int MinPartitionSize { get; init; } = 16_384;

    /// <summary>
    /// How long <see cref="StreamingContext.StartAsync"/> waits for each transactional output's
    /// last commit (<see cref="ITransactionalSink.ReadLastCommitAsync"/>) before it fails; 30 seconds by default.
    /// </summary>
    public TimeSpan SinkCommitReadTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
