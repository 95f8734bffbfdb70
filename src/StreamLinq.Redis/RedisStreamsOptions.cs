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
}
