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
    /// Whether a checkpoint written by a different query that cannot resume from it (another
    /// batch interval, or a change that does not fit its state: docs/upgrades.md) is discarded,
    /// starting the context afresh, instead of refused. False by default: such a change then fails <see cref="StreamingContext.GetOrCreate(StreamLinq.Checkpointing.ICheckpointStore, Func{StreamingContext}, CheckpointOptions?)"/> with a message saying what changed.
    /// </summary>
    public bool ResetOnQueryChange { get; init; }

    /// <summary>
    /// State ids (an operator's name, or the derived id a refusal quotes) whose checkpointed state
    /// is dropped when an upgraded query resumes: the operator starts empty, or, gone from the
    /// query, is no longer refused for it. Everything else is restored. Empty by default.
    /// </summary>
    public IReadOnlySet<string> DroppedState { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// The escape hatch of an upgrade that does not fit some operator's state (docs/upgrades.md):
    /// these options with the state of <paramref name="stateIds"/> dropped, and only theirs.
    /// </summary>
    /// <param name="stateIds">Operators' names (<see cref="DStreamQueryable.Named{TSource}"/>), or derived ids as a refusal quotes them.</param>
    /// <returns>A copy of these options whose <see cref="DroppedState"/> also holds <paramref name="stateIds"/>.</returns>
    /// <exception cref="ArgumentException">An id is null or empty.</exception>
    public CheckpointOptions DropStateOf(params string[] stateIds)
    {
        ArgumentNullException.ThrowIfNull(stateIds);
        foreach (var id in stateIds)
        {
            ArgumentException.ThrowIfNullOrEmpty(id, nameof(stateIds));
        }

        return this with { DroppedState = new HashSet<string>(DroppedState.Concat(stateIds), StringComparer.Ordinal) };
    }

    /// <summary>
    /// The local directory of the receivers' write-ahead logs (<see cref="ReceiverOptions.WriteAheadLog"/>).
    /// Null by default: a directory store keeps them in its <c>receivers/</c> subdirectory, and with
    /// another store (PostgreSQL, Redis) a receiver that asks for a log fails the start until this
    /// is set. The logs stay on a local disk whatever the store: they are appended record by record.
    /// </summary>
    public string? WriteAheadLogDirectory { get; init; }
}
