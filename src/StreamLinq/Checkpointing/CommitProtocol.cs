using StreamLinq.Execution;
using StreamLinq.Query;
using StreamLinq.Scheduling;
using StreamLinq.Sinks;
using StreamLinq.Sources;
using StreamLinq.State;

namespace StreamLinq.Checkpointing;

/// <summary>
/// The per-batch commit protocol, in one place: which batches are pending, when a checkpoint is
/// written, which outputs a batch may skip, what a transactional sink is handed, and when the
/// sources are acknowledged, under each delivery guarantee. It knows a batch by its identity
/// (<see cref="BatchJob"/>: time, sealed inputs and their offsets, outputs done before a crash)
/// and the outputs to run; it does not know who generates or runs batches (the scheduler today,
/// a cluster driver later), and owns the lock that keeps sealing and checkpointing in agreement.
/// </summary>
/// <remarks>
/// <para>Each batch goes through these states; a failure leaves it in the state it was in, and a
/// retry resumes there (see <see cref="Batch"/>):</para>
/// <code>
///   Sealed ──► Logged ──► Written ──► Checkpointed ──► Acknowledged
///     │          │           │             │               │
///     │          │           │             │               └ every source told, in input order
///     │          │           │             └ post-output checkpoint: the batch leaves the
///     │          │           │               pending ones, operator state is written
///     │          │           └ every output ran, in order: skipped if done before a crash
///     │          │             (at most once) or held by its sink's commit (transactional),
///     │          │             otherwise written with its BatchCommit
///     │          └ pre-output checkpoint, only when an output is at most once or exactly once:
///     │            at-most-once outputs marked done, offset ranges durable (written once,
///     │            never rewritten with other ranges); offsets JSON fixed for the sinks
///     └ inputs sealed under the protocol's lock and added to the pending batches
/// </code>
/// <para>Without checkpointing only Sealed, Logged (offsets) and Written apply. At start,
/// <see cref="RecoverAsync"/> restores the checkpoint and reads every transactional output's last
/// commit back: the sinks' commits are the truth, so sources resume after them and recovered
/// batches they already cover are dropped. A batch that fails and stops the context stays
/// pending (replayed after a restart); one the context moves past is committed like any other.
/// A batch abandoned at a stop writes no checkpoint and acknowledges nothing.</para>
/// </remarks>
internal sealed class CommitProtocol
{
    private readonly BatchCheckpointing? _checkpointing;
    private readonly IBatchSource[] _sources;
    private readonly ExecutionPlan _plan;
    private readonly IStatefulOperator[] _operators;

    /// <summary>Guards the pending batches and the sources' positions: held while sealing and while a checkpoint captures them.</summary>
    private readonly Lock _gate = new();
    private readonly List<BatchJob> _pending = [];

    /// <summary>
    /// The done outputs of every batch sealed without checkpointing: always empty, since only a
    /// checkpoint marks an output done (<see cref="BeforeOutputs"/>), so one set serves them all.
    /// </summary>
    private readonly HashSet<int> _noneDone = [];
    private SinkCommits? _commits;
    private BatchTime? _lastCompleted;
    private readonly Monitoring.JobTelemetry _telemetry;
    private volatile bool _abandoned;

    /// <summary>Whether an output is transactional (and needs the batch's offsets), known once rather than asked per batch.</summary>
    private readonly bool _transactional;

    public CommitProtocol(BatchCheckpointing? checkpointing, IBatchSource[] sources, ExecutionPlan plan, IStatefulOperator[] operators, Monitoring.JobTelemetry telemetry)
    {
        _checkpointing = checkpointing;
        _sources = sources;
        _plan = plan;
        _operators = operators;
        _telemetry = telemetry;
        _transactional = plan.Outputs.Any(o => o.Output.Target is ITransactionalSink);
    }

    /// <summary>The last batch committed (completed, or failed and moved past), in this run or the checkpoint's.</summary>
    public BatchTime? LastCompleted
    {
        get
        {
            lock (_gate)
            {
                return _lastCompleted;
            }
        }
    }

    /// <summary>Where input <paramref name="inputId"/> may keep a write-ahead log; null without checkpointing.</summary>
    public string? WriteAheadLogDirectory(int inputId) =>
        _checkpointing?.ReceiversDirectory is { } directory ? Path.Combine(directory, $"input-{inputId}") : null;

    /// <summary>How many checkpoints are kept (a write-ahead log keeps its segments for as many).</summary>
    public int RetainedCheckpoints => _checkpointing?.RetainedCheckpoints ?? new CheckpointOptions().RetainedCheckpoints;

    /// <summary>How many checkpoints this run has put on disk.</summary>
    public long CheckpointsWritten => _checkpointing?.Written ?? 0;

    /// <summary>
    /// At start, before the sources start: restores positions and operator state from the
    /// checkpoint, reads the transactional outputs' last commits (each within
    /// <paramref name="commitReadTimeout"/>), moves replayable sources past them and drops the
    /// recovered batches they already cover. Returns the batches to replay, oldest first.
    /// </summary>
    /// <exception cref="InvalidOperationException">A sink could not return its last commit; the message names the output.</exception>
    public async Task<IReadOnlyList<BatchJob>> RecoverAsync(long now, TimeSpan commitReadTimeout, TimeProvider time, Action<string> warn, CancellationToken cancellationToken)
    {
        var recovered = new List<BatchJob>();
        if (_checkpointing is not null)
        {
            recovered = _checkpointing.Restore(_sources, _plan, _operators, now, warn);
            lock (_gate)
            {
                _pending.AddRange(recovered);
                if (_checkpointing.Recovered?.LastCompletedBatch is { } last)
                {
                    _lastCompleted = new BatchTime(last);
                }
            }
        }

        _commits = await SinkCommits.ReadAsync(_plan, commitReadTimeout, time, cancellationToken).ConfigureAwait(false);
        _commits.ResumeSources(_sources);
        foreach (var covered in recovered.Where(job => _commits.Covers(job, _sources)).ToList())
        {
            recovered.Remove(covered);
            lock (_gate)
            {
                _pending.Remove(covered);
            }

            warn($"Batch {covered.Time} was queued, unread, in the checkpoint restored and its time is at or before a sink's last commit: the lost run committed it, so it is not replayed.");
        }

        return recovered;
    }

    /// <summary>
    /// The first batch time to generate, given the first boundary after the start: after every
    /// batch the checkpoint knows, and after every batch time a sink committed (a sink skips a
    /// batch time it has committed).
    /// </summary>
    public BatchTime FirstBatch(BatchTime boundary, TimeSpan interval)
    {
        var first = boundary;
        if (_checkpointing?.LastKnownBatch is { } known && known >= first)
        {
            first = new BatchTime(BatchIntervalSchedule.NextBoundary(known.Ticks, interval.Ticks));
        }

        if (_commits?.LatestTime is { } committed && committed >= first)
        {
            first = new BatchTime(BatchIntervalSchedule.NextBoundary(committed.Ticks, interval.Ticks));
        }

        return first;
    }

    /// <summary>
    /// Seals a batch: <paramref name="seal"/> (which gives the submission time and the sealed
    /// inputs, and takes its arguments as <paramref name="state"/>, so that a static lambda
    /// allocates no closure) runs under the protocol's lock, so that no checkpoint captures the
    /// sources' positions past records that are in no pending batch.
    /// </summary>
    public BatchJob Seal<TState>(BatchTime time, TimeSpan interval, TState state, Func<TState, (long Submitted, IReadOnlyList<ISealedInput> Inputs)> seal)
    {
        lock (_gate)
        {
            var (submitted, inputs) = seal(state);
            var job = new BatchJob(time, inputs, submitted, _checkpointing is null ? _noneDone : [], interval);
            if (_checkpointing is not null)
            {
                _pending.Add(job);
            }

            return job;
        }
    }

    /// <summary>
    /// Starts a batch's way through the protocol (a retry resumes the batch it has);
    /// <paramref name="spare"/>, a finished batch's that nothing refers to any more, is reused.
    /// </summary>
    public Batch Begin(BatchJob job, Batch? spare = null) => spare?.Restart(job) ?? new(job);

    /// <summary>
    /// Sealed to Logged: writes the pre-output checkpoint when an output is at most once or
    /// exactly once (marking the at-most-once ones done), and fixes the offsets handed to
    /// transactional sinks. Done once per batch: a retry never rewrites it with other ranges.
    /// </summary>
    /// <exception cref="BatchFailedException">The checkpoint could not be written (stage checkpoint).</exception>
    public void BeforeOutputs(Batch batch)
    {
        if (batch.Stage != CommitStage.Sealed)
        {
            return;
        }

        var job = batch.Job;
        if (_checkpointing is not null && LogsBeforeOutputs(batch))
        {
            foreach (var (output, _) in _plan.Outputs.Where(o => o.Output.Delivery == DeliveryGuarantee.AtMostOnce))
            {
                job.DoneOutputs.Add(output.Index);
            }

            Checkpoint(job.Time);
        }

        batch.Offsets = _transactional ? BatchCheckpointing.Offsets(_sources, job) : "{}";
        batch.Stage = CommitStage.Logged;
    }

    /// <summary>Whether an output that is not at least once still runs in the batch; apart, so that a batch without checkpointing makes no closure.</summary>
    private bool LogsBeforeOutputs(Batch batch) =>
        _plan.Outputs.Any(o => o.Output.Delivery != DeliveryGuarantee.AtLeastOnce && !batch.Skipped.Contains(o.Output.Index));

    /// <summary>
    /// Logged to Written: runs every output not yet written, in definition order. An output is
    /// skipped (its plan still evaluated, so that stateful operators take the batch in) when it
    /// was done before a crash (at most once) or its sink's commit already holds the batch;
    /// otherwise <paramref name="write"/> gets the batch and its <see cref="BatchCommit"/>.
    /// </summary>
    /// <param name="batch">The batch, past <see cref="BeforeOutputs"/>.</param>
    /// <param name="evaluate">The output's records for this batch; null when its stream has no batch now (a window between slides).</param>
    /// <param name="write">Writes one output; throws a <see cref="BatchFailedException"/> naming it on failure.</param>
    /// <param name="cancellationToken">Cancels the writes.</param>
    public async Task RunOutputsAsync(Batch batch, Func<PlanNode, System.Collections.IEnumerable?> evaluate, Func<OutputOperation, System.Collections.IEnumerable, BatchCommit, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        var job = batch.Job;
        var outputs = _plan.Outputs;

        // By index: a foreach over the list's interface would allocate its enumerator every batch.
        for (var i = 0; i < outputs.Count; i++)
        {
            var (output, root) = outputs[i];
            if (batch.Written.Contains(output.Index))
            {
                continue;
            }

            var records = evaluate(root);
            if (records is null || batch.Skipped.Contains(output.Index) || HeldBySink(output, root, job))
            {
                batch.Written.Add(output.Index);
                continue;
            }

            batch.FailedOutput = output;
            await write(output, records, new BatchCommit(output.Id, job.Time, batch.Offsets!), cancellationToken).ConfigureAwait(false);
            batch.FailedOutput = null;
            batch.Written.Add(output.Index);
        }

        batch.Stage = CommitStage.Written;
    }

    /// <summary>
    /// Written (or failed and moved past) to Acknowledged: drops the batch from the pending ones,
    /// writes the post-output checkpoint, then acknowledges each source. Does nothing without
    /// checkpointing. Resumable: a retry writes the checkpoint again and acknowledges the sources
    /// not yet acknowledged.
    /// </summary>
    /// <exception cref="BatchFailedException">The checkpoint or an acknowledgement failed.</exception>
    public void Commit(Batch batch)
    {
        if (_checkpointing is null)
        {
            return;
        }

        var job = batch.Job;
        lock (_gate)
        {
            _pending.Remove(job);
            _lastCompleted = job.Time;
        }

        Checkpoint(job.Time);
        batch.Stage = CommitStage.Checkpointed;

        for (; batch.Acknowledged < _sources.Length; batch.Acknowledged++)
        {
            try
            {
                // Committed: a source may drop what it kept to replay this batch.
                (_sources[batch.Acknowledged] as IOffsetRangeSource)?.Acknowledge(job.Inputs[batch.Acknowledged]);
            }
            catch (Exception error)
            {
                throw new BatchFailedException(job.Time, "Commit", error, BatchStage.Checkpoint);
            }
        }

        batch.Stage = CommitStage.Acknowledged;
    }

    /// <summary>Whether the protocol allows a failed batch to be retried: never an at-most-once output that failed (it was marked done before it ran).</summary>
    public static bool MayRetry(Batch batch, BatchFailedException failure) =>
        !(failure.Stage == BatchStage.Output && batch.FailedOutput is { Delivery: DeliveryGuarantee.AtMostOnce });

    /// <summary>The batch in progress was abandoned at a stop: from now on no checkpoint is written, so a restart replays it.</summary>
    public void Abandon() => _abandoned = true;

    private bool HeldBySink(OutputOperation output, PlanNode root, BatchJob job)
    {
        try
        {
            return _commits?.Holds(output, root, job, _sources) ?? false;
        }
        catch (InvalidOperationException error)
        {
            throw new BatchFailedException(job.Time, output.Description, error, BatchStage.Output);
        }
    }

    /// <summary>Writes a checkpoint; a failure to write fails the batch.</summary>
    private void Checkpoint(BatchTime time)
    {
        if (_abandoned)
        {
            throw new BatchFailedException(time, "Checkpoint", new OperationCanceledException("The batch was abandoned at a stop; it writes no checkpoint."), BatchStage.Scheduler);
        }

        using var timing = _telemetry.StartCheckpoint();
        try
        {
            _checkpointing!.Write(_gate, _sources, _pending, LastCompleted, _operators);
            _telemetry.CheckpointWritten(_checkpointing.LastSize);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // IO errors, and state that System.Text.Json cannot write, fail the batch visibly.
            throw new BatchFailedException(time, "Checkpoint", error, BatchStage.Checkpoint);
        }
    }

    /// <summary>Where a batch is in the protocol.</summary>
    internal enum CommitStage
    {
        /// <summary>Inputs sealed; nothing written.</summary>
        Sealed,

        /// <summary>The pre-output checkpoint (if any) is written and the offsets fixed.</summary>
        Logged,

        /// <summary>Every output ran or was skipped.</summary>
        Written,

        /// <summary>The post-output checkpoint is written.</summary>
        Checkpointed,

        /// <summary>Every source was acknowledged: the batch is committed.</summary>
        Acknowledged,
    }

    /// <summary>
    /// One batch's progress through the protocol, kept across its attempts so that a retry
    /// repeats only what did not complete.
    /// </summary>
    internal sealed class Batch(BatchJob job)
    {
        public BatchJob Job { get; private set; } = job;

        public CommitStage Stage { get; set; }

        /// <summary>Outputs committed before a crash (at most once), fixed before the pre-output checkpoint adds this run's.</summary>
        public HashSet<int> Skipped { get; } = [.. job.DoneOutputs];

        /// <summary>The batch's offsets as JSON, for transactional sinks; set at Logged.</summary>
        public string? Offsets { get; set; }

        public HashSet<int> Written { get; } = [];

        /// <summary>The output being written, while it is: the one a failure of the output stage names.</summary>
        public OutputOperation? FailedOutput { get; set; }

        public int Acknowledged { get; set; }

        /// <summary>Reuses this finished batch's record for another batch: its sets are cleared, not made again.</summary>
        public Batch Restart(BatchJob job)
        {
            Job = job;
            Stage = CommitStage.Sealed;
            Skipped.Clear();

            // Asked only when there is something to add: the union enumerates through the interface, an allocation.
            if (job.DoneOutputs.Count > 0)
            {
                Skipped.UnionWith(job.DoneOutputs);
            }

            Offsets = null;
            Written.Clear();
            FailedOutput = null;
            Acknowledged = 0;
            return this;
        }
    }
}
