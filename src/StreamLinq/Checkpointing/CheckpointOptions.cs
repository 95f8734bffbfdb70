namespace StreamLinq;

/// <summary>How <see cref="StreamingContext.GetOrCreate(StreamLinq.Checkpointing.ICheckpointStore, Func{StreamingContext}, CheckpointOptions?)"/> checkpoints and recovers a context.</summary>
public sealed record CheckpointOptions
{
    /// <summary>
    /// How many of the newest checkpoint files to keep (at least 2, so that a damaged newest
    /// file leaves one to fall back on). The default is 3.
    /// </summary>
    public int RetainedCheckpoints { get; init; } = 3;

    /// <summary>
    /// Whether a checkpoint written by a different query (another fingerprint or batch interval)
    /// is discarded, starting the context afresh, instead of refused. False by default: a changed
    /// query then fails <see cref="StreamingContext.GetOrCreate(StreamLinq.Checkpointing.ICheckpointStore, Func{StreamingContext}, CheckpointOptions?)"/> with a message saying what changed.
    /// </summary>
    public bool ResetOnQueryChange { get; init; }

    /// <summary>
    /// The local directory of the receivers' write-ahead logs (<see cref="ReceiverOptions.WriteAheadLog"/>).
    /// Null by default: a directory store keeps them in its <c>receivers/</c> subdirectory, and with
    /// another store (PostgreSQL, Redis) a receiver that asks for a log fails the start until this
    /// is set. The logs stay on a local disk whatever the store: they are appended record by record.
    /// </summary>
    public string? WriteAheadLogDirectory { get; init; }
}
