namespace StreamLinq.Testing;

/// <summary>How a <see cref="StreamTestHarness"/> runs a job.</summary>
public sealed record StreamTestHarnessOptions
{
    /// <summary>
    /// The options the factory receives, before the harness sets its clock in them; the engine's
    /// defaults when null. Keep <see cref="StreamingOptions.MinPartitionSize"/> as it is in
    /// production if a test depends on where large batches are cut.
    /// </summary>
    public StreamingOptions? StreamingOptions { get; init; }

    /// <summary>
    /// Whether the context checkpoints (into a temporary directory the harness deletes), so that
    /// <see cref="StreamTestHarness.RestartAsync"/> can recover from it; off by default (faster).
    /// </summary>
    public bool Checkpointing { get; init; }

    /// <summary>How long <see cref="StreamTestHarness.RunBatchAsync"/> waits for a batch before it fails; 30 seconds by default.</summary>
    public TimeSpan BatchTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
