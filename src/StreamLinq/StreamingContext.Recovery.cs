using StreamLinq.Checkpointing;

namespace StreamLinq;

/// <summary>Driver recovery: <see cref="GetOrCreate"/> and the checkpoint it resumes from.</summary>
public sealed partial class StreamingContext
{
    private CheckpointStore? _checkpoints;
    private CheckpointData? _recovered;

    /// <summary>
    /// The last batch completed before the checkpoint this context was recovered from; null for a
    /// context created afresh.
    /// </summary>
    public BatchTime? RecoveredBatchTime => _recovered?.LastCompletedBatch is { } ticks ? new BatchTime(ticks) : null;

    /// <summary>The directory this context checkpoints to; null when it does not checkpoint.</summary>
    public string? CheckpointDirectory => _checkpoints?.Directory;

    /// <summary>
    /// Spark's <c>getOrCreate</c>: builds the context and its queries with
    /// <paramref name="factory"/>, then resumes it from the newest valid checkpoint in
    /// <paramref name="checkpointDirectory"/>, or leaves it fresh when there is none. From its start
    /// the context checkpoints there after every batch.
    /// </summary>
    /// <param name="checkpointDirectory">The checkpoint directory; created when missing.</param>
    /// <param name="factory">
    /// Creates the context, its sources, queries and outputs (not started). It runs on every
    /// start, recovered or not: a checkpoint holds data, never code.
    /// </param>
    /// <param name="options">Retention and the query-change policy; defaults when null.</param>
    /// <returns>The context, not started, positioned where the checkpoint left off.</returns>
    /// <remarks>
    /// <para>A recovered context restores each source's offsets and each stateful operator's
    /// state, then replays the batches that were pending (sealed but not completed) with the
    /// same batch times and offset ranges, before new batches.</para>
    /// <para>A truncated or corrupt newest checkpoint is skipped for the previous one; every file
    /// skipped is reported to <see cref="IStreamingListener.OnCheckpointWarning"/> of the listeners
    /// the factory added.</para>
    /// <para>The checkpoint is not the only truth: at start, each transactional output's last
    /// commit is read back from its sink (<see cref="ITransactionalSink.ReadLastCommitAsync"/>).
    /// A replayable source behind the commits (the checkpoint is older, damaged or gone) resumes
    /// after them, and a batch whose offsets an output already committed is not written to it
    /// again, so exactly once holds without the checkpoint directory.</para>
    /// <para>A checkpoint written by a different query or with another batch interval is
    /// refused, unless <see cref="CheckpointOptions.ResetOnQueryChange"/> is set, which deletes it
    /// and starts afresh. The outputs, operators, lambda bodies, element types, input kinds and
    /// captured values of simple types count as the query; lambda parameter names, anonymous type
    /// numbering, the contents of captured objects and connection details do not.</para>
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">
    /// The factory returned null or a started context, or the checkpoint was written by a
    /// different query; the message says what changed.
    /// </exception>
    public static StreamingContext GetOrCreate(string checkpointDirectory, Func<StreamingContext> factory, CheckpointOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(checkpointDirectory);
        ArgumentNullException.ThrowIfNull(factory);
        options ??= new CheckpointOptions();
        var context = factory() ?? throw new InvalidOperationException("The StreamingContext factory returned null.");
        lock (context._gate)
        {
            if (context.State != StreamingContextState.Initialized || context._checkpoints is not null)
            {
                throw new InvalidOperationException("The StreamingContext factory must return a new context, neither started nor already checkpointing.");
            }

            var store = new CheckpointStore(checkpointDirectory, options.RetainedCheckpoints);
            var warnings = new List<string>();
            if (store.RemovedTemporaryFiles > 0)
            {
                warnings.Add($"Removed {store.RemovedTemporaryFiles} temporary file(s) left by checkpoint or write-ahead log writes that a crash interrupted.");
            }

            var data = store.LoadNewest(warnings);
            foreach (var warning in warnings)
            {
                context._listeners.Post(l => l.OnCheckpointWarning(warning));
            }

            if (data is not null && Mismatch(context, data) is { } change)
            {
                var message = $"The checkpoint in '{store.Directory}' was written by a different query: {change}.";
                if (!options.ResetOnQueryChange)
                {
                    throw new InvalidOperationException(message + $" Restore the query, delete the checkpoint directory, or set {nameof(CheckpointOptions)}.{nameof(CheckpointOptions.ResetOnQueryChange)} to discard it.");
                }

                context._listeners.Post(l => l.OnCheckpointWarning(message + " The checkpoint is discarded and the context starts afresh."));
                store.Clear();
                data = null;
            }

            context._checkpoints = store;
            context._recovered = data;
        }

        return context;
    }

    private static string? Mismatch(StreamingContext context, CheckpointData data)
    {
        if (data.BatchIntervalTicks != context.BatchInterval.Ticks)
        {
            return $"the batch interval was {TimeSpan.FromTicks(data.BatchIntervalTicks)}, now {context.BatchInterval}";
        }

        return QueryFingerprint.Describe(data.Fingerprint, QueryFingerprint.Compute(context._outputs));
    }
}
