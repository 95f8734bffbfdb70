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

    /// <summary>How many partitions a large batch is split into; the number of cores by default.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>The fewest records worth a partition of their own; smaller batches run on one thread.</summary>
    public int MinPartitionSize { get; init; } = 16_384;
}
