using StreamLinq.Checkpointing;

namespace StreamLinq;

/// <summary>Driver recovery: <see cref="GetOrCreate(ICheckpointStore, Func{StreamingContext}, CheckpointOptions?)"/> and the checkpoint it resumes from.</summary>
public sealed partial class StreamingContext
{
    private Checkpointing.CheckpointStore? _checkpoints;
    private CheckpointData? _recovered;
    private StateUpgrade? _upgrade;

    /// <summary>
    /// The last batch completed before the checkpoint this context was recovered from; null for a
    /// context created afresh.
    /// </summary>
    public BatchTime? RecoveredBatchTime => _recovered?.LastCompletedBatch is { } ticks ? new BatchTime(ticks) : null;

    /// <summary>The directory this context checkpoints to; null when it does not checkpoint or checkpoints to another store.</summary>
    public string? CheckpointDirectory => _checkpoints?.Directory;

    /// <summary>The store this context checkpoints to; null when it does not checkpoint.</summary>
    public ICheckpointStore? CheckpointStore => _checkpoints?.Store;

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
    /// <para>A checkpoint written by a different query (outputs, operators, lambda bodies, element
    /// types, input kinds and captured values of simple types count; lambda parameter names,
    /// anonymous type numbering, the contents of captured objects and connection details do not)
    /// is an upgrade: the query is planned here and compared with the checkpoint operator by
    /// operator. It resumes when every stateful operator's state still fits (matched by its
    /// <see cref="DStreamQueryable.Named{TSource}"/> name, or else by the id derived from its
    /// structure; same kind, key and state types, or records that gained, lost or widened fields;
    /// a window no longer than the batches kept) and the inputs are the same; outputs are matched by
    /// name (or kind and position), and an added one starts after the batches left pending. Any
    /// other change is refused with one line per operator and why, unless
    /// <see cref="CheckpointOptions.DropStateOf"/> drops the state of those operators, or
    /// <see cref="CheckpointOptions.ResetOnQueryChange"/> deletes the whole checkpoint and starts
    /// afresh. A checkpoint written before upgrades kept state must match the query exactly.
    /// See docs/upgrades.md.</para>
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">
    /// The factory returned null or a started context, or the checkpoint was written by a
    /// different query whose state does not fit this one; the message says what changed.
    /// </exception>
    /// <exception cref="NotSupportedException">The query changed and cannot be planned (as <see cref="StartAsync"/> would say).</exception>
    public static StreamingContext GetOrCreate(string checkpointDirectory, Func<StreamingContext> factory, CheckpointOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(checkpointDirectory);
        ArgumentNullException.ThrowIfNull(factory);
        return GetOrCreate(new DirectoryCheckpointStore(checkpointDirectory), factory, options);
    }

    /// <summary>
    /// <see cref="GetOrCreate(string, Func{StreamingContext}, CheckpointOptions?)"/> over any
    /// checkpoint store: a local directory (<see cref="DirectoryCheckpointStore"/>), PostgreSQL or
    /// Redis (in their connector packages). The engine frames, verifies, retains and falls back in
    /// the same way for every store.
    /// </summary>
    /// <param name="store">Where the checkpoints are kept; one running context per store.</param>
    /// <param name="factory">
    /// Creates the context, its sources, queries and outputs (not started). It runs on every
    /// start, recovered or not: a checkpoint holds data, never code.
    /// </param>
    /// <param name="options">
    /// Retention, the query-change policy and, for a store that is not a directory, the local
    /// directory of the receivers' write-ahead logs; defaults when null.
    /// </param>
    /// <returns>The context, not started, positioned where the checkpoint left off.</returns>
    /// <remarks>
    /// A checkpoint write that fails (the server is down) fails its batch with a
    /// <see cref="BatchFailedException"/> at <see cref="BatchStage.Checkpoint"/> whose inner
    /// <see cref="IOException"/> names the store and holds the store's own exception; the default
    /// <see cref="StreamingOptions.IsTransient"/> retries it under the restart strategy. A store
    /// that cannot be listed or read here fails this call (a damaged checkpoint is skipped, an
    /// unreachable server is not).
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="IOException">The store could not be listed or read; the message names it.</exception>
    /// <exception cref="InvalidOperationException">
    /// The factory returned null or a started context, or the checkpoint was written by a
    /// different query whose state does not fit this one; the message says what changed.
    /// </exception>
    public static StreamingContext GetOrCreate(ICheckpointStore store, Func<StreamingContext> factory, CheckpointOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(factory);
        options ??= new CheckpointOptions();
        var context = factory() ?? throw new InvalidOperationException("The StreamingContext factory returned null.");
        lock (context._gate)
        {
            if (context.State != StreamingContextState.Initialized || context._checkpoints is not null)
            {
                throw new InvalidOperationException("The StreamingContext factory must return a new context, neither started nor already checkpointing.");
            }

            var checkpoints = new Checkpointing.CheckpointStore(store, options.RetainedCheckpoints, options.WriteAheadLogDirectory);
            var warnings = new List<string>();
            if (checkpoints.RemovedTemporaryFiles > 0)
            {
                warnings.Add($"Removed {checkpoints.RemovedTemporaryFiles} temporary file(s) left by checkpoint or write-ahead log writes that a crash interrupted.");
            }

            var data = checkpoints.LoadNewest(warnings);
            foreach (var warning in warnings)
            {
                context._listeners.Post(l => l.OnCheckpointWarning(warning));
            }

            var change = data is null ? null : Mismatch(context, data);
            if (data is not null && (change is not null || options.DroppedState.Count > 0))
            {
                var refusal = change is null ? null
                    : $"The checkpoint in {store.Description} was written by a different query: {change}. Restore the query, delete the checkpoint directory, or set {nameof(CheckpointOptions)}.{nameof(CheckpointOptions.ResetOnQueryChange)} to discard it.";
                try
                {
                    var plan = new Query.PlanBuilder().Build(context._outputs);
                    context._upgrade = StateUpgrade.Check(data, QuerySchema.Of(plan, context._inputs.Select(i => i.Source)), context._outputs, options, store.Description);
                }
                catch (InvalidOperationException incompatible)
                {
                    refusal = incompatible.Message;
                }

                if (context._upgrade is { } upgrade)
                {
                    foreach (var note in upgrade.Notes)
                    {
                        context._listeners.Post(l => l.OnCheckpointWarning($"The query changed since the checkpoint in {store.Description} was written, and resumes from it: {note}"));
                    }
                }
                else if (refusal is not null)
                {
                    if (!options.ResetOnQueryChange)
                    {
                        throw new InvalidOperationException(refusal);
                    }

                    context._listeners.Post(l => l.OnCheckpointWarning(refusal + $" With {nameof(CheckpointOptions.ResetOnQueryChange)} set, the checkpoint is discarded and the context starts afresh."));
                    checkpoints.Clear();
                    data = null;
                }
            }

            context._checkpoints = checkpoints;
            context._recovered = data;
        }

        return context;
    }

    // The batch interval is not part of the match: it may change at run time, and a restart
    // resumes with the one in force (BatchIntervalSchedule.Resume).
    private static string? Mismatch(StreamingContext context, CheckpointData data)
    {
        return QueryFingerprint.Describe(data.Fingerprint, QueryFingerprint.Compute(context._outputs));
    }
}
