namespace StreamLinq.Nats;

/// <summary>Settings of a NATS JetStream source.</summary>
public sealed record NatsJetStreamOptions
{
    /// <summary>The most messages one batch reads from each subject (its rate limit); 10,000 by default.</summary>
    public int MaxMessagesPerBatch { get; init; } = 10_000;

    /// <summary>
    /// Where a subject is read from when no checkpoint says otherwise: the stream's first message
    /// (true, the default) or only the messages stored after the context starts (false).
    /// </summary>
    public bool StartFromBeginning { get; init; } = true;

    /// <summary>
    /// The longest one read from the server may take while a batch is read; 10 seconds by default.
    /// A server that does not answer (down, restarting) fails the batch with a transient
    /// <see cref="SourceException"/>, which the context's restart strategy retries.
    /// </summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
