namespace StreamLinq.Redis;

/// <summary>Settings of a Redis Streams source.</summary>
public sealed record RedisStreamsOptions
{
    /// <summary>The most entries one batch reads from each stream (its rate limit); 10,000 by default.</summary>
    public int MaxEntriesPerBatch { get; init; } = 10_000;

    /// <summary>The Redis database number; the connection's default when -1.</summary>
    public int Database { get; init; } = -1;

    /// <summary>
    /// Where a stream is read from when no checkpoint says otherwise: its first entry (true, the
    /// default) or only the entries added after the context starts (false).
    /// </summary>
    public bool StartFromBeginning { get; init; } = true;

    /// <summary>
    /// The longest one call to Redis may take while a batch is read; 10 seconds by default. A
    /// server that does not answer (paused, unreachable) fails the batch with a transient
    /// <see cref="SourceException"/>, which the context's restart strategy retries.
    /// </summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The most entries one call to Redis returns (XRANGE's COUNT); 10,000 by default. A batch
    /// that may take more reads them in several calls, so no reply grows with
    /// <see cref="MaxEntriesPerBatch"/>.
    /// </summary>
    public int ReadChunkSize { get; init; } = 10_000;

    /// <summary>
    /// A consumer group that tracks the source's position on the broker, or null (the default)
    /// for positions kept by the checkpoint alone. With a group, each stream's group is created
    /// when missing; a start without a checkpoint (or a sink commit ahead of it) resumes after the
    /// group's last delivered id; and once a batch is committed the group's last delivered id moves
    /// to its end (XGROUP SETID), so <c>XINFO GROUPS</c> shows the job's lag. Batches are still
    /// read and replayed as id ranges, so the delivery guarantees are those without a group.
    /// One job per group: two jobs on one group would move each other's position.
    /// </summary>
    public string? ConsumerGroup { get; init; }

    /// <summary>
    /// Whether sealing a batch fixes its id range (true) rather than leaving it to be resolved when
    /// the batch is read (false, the default). Cluster mode (<c>StreamLinq.Orleans</c>) needs true:
    /// its driver cuts each batch into one range per stream without reading a record, and each
    /// stream's executor reads its own range. Sealing still calls nothing: the source polls each
    /// stream's last id in the background (about every 10 ms, one pipelined XREVRANGE ... COUNT 1
    /// per stream) and a batch takes every entry up to the last id seen, so
    /// <see cref="MaxEntriesPerBatch"/> and the rate estimator's cap do not apply and a backlog is
    /// read as one batch per stream range. The ranges are replayed exactly, as resolved ones are.
    /// </summary>
    public bool FixRangesWhenSealed { get; init; }
}
