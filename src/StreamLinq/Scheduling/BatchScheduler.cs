using System.Threading.Channels;
using StreamLinq.Execution;
using StreamLinq.Monitoring;
using StreamLinq.Query;
using StreamLinq.Sources;
using StreamLinq.State;

namespace StreamLinq.Scheduling;

/// <summary>
/// Spark's job generator and job scheduler in one: a generator task seals every input at each
/// batch time and queues the batch; a runner task processes the queued batches one at a time,
/// in order, running every output operation of the plan.
/// </summary>
/// <remarks>
/// With checkpointing, each batch is committed by a checkpoint after its outputs ran (at
/// least once). A batch with an at-most-once or exactly-once output is also logged before its
/// outputs run: its offset ranges become durable, so a replay reads the same records under the
/// same batch time, and its at-most-once outputs are marked done, so a replay skips them.
/// Transactional outputs' last commits, read back from the sinks at start
/// (<see cref="SinkCommits"/>), move replayable sources past them and skip the batches they
/// already hold, when the checkpoint is behind them or missing.
/// </remarks>
internal sealed class BatchScheduler
{
    private readonly StreamingContext _context;
    private readonly IBatchSource[] _sources;
    private readonly ExecutionPlan _plan;
    private readonly ListenerBus _listeners;
    /// <summary>The scheduler whose runner is executing the current code, to spot a stop requested from an output.</summary>
    private static readonly AsyncLocal<BatchScheduler?> Runner = new();
    private readonly Channel<BatchJob> _queue = Channel.CreateUnbounded<BatchJob>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stopGenerating = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource _termination = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private Task _sourcesStopped = Task.CompletedTask;
    private bool _sourcesStopping;
    private Task _lifetime = Task.CompletedTask;
    private volatile bool _graceful;
    private BatchFailedException? _failure;
    private BatchTime _firstBatch;
    private readonly BatchCheckpointing? _checkpointing;
    private readonly IStatefulOperator[] _operators;
    private readonly Lock _sealGate = new();
    private readonly List<BatchJob> _pending = [];
    private List<BatchJob> _recovered = [];
    private BatchTime? _lastCompleted;
    private SinkCommits? _commits;

    public BatchScheduler(StreamingContext context, IBatchSource[] sources, ExecutionPlan plan, ListenerBus listeners, BatchCheckpointing? checkpointing = null)
    {
        _context = context;
        _sources = sources;
        _plan = plan;
        _listeners = listeners;
        _checkpointing = checkpointing;
        _operators = StateIds.Distinct(plan.Outputs.SelectMany(o => ExecutionPlan.Nodes(o.Root)).Distinct(ReferenceEqualityComparer.Instance).OfType<IStatefulOperator>());
    }

    /// <summary>Completes when the scheduler has stopped; faults with the failure that stopped it.</summary>
    public Task Termination => _termination.Task;

    public void Start()
    {
        if (_checkpointing is not null)
        {
            // Positions and state are restored before the sources start, so that they resume there.
            _recovered = _checkpointing.Restore(_sources, _plan, _operators, _context.Clock.NowTicks, Warn);
            _pending.AddRange(_recovered);
            if (_checkpointing.Recovered?.LastCompletedBatch is { } last)
            {
                _lastCompleted = new BatchTime(last);
            }
        }

        // The sinks' commits are the truth, not the checkpoint: read after it is restored, so that
        // a source behind them (an old, damaged or missing checkpoint) moves past them before it starts.
        _commits = SinkCommits.Read(_plan, _context.Options.SinkCommitReadTimeout);
        _commits.ResumeSources(_sources);

        var started = new List<IBatchSource>();
        try
        {
            for (var id = 0; id < _sources.Length; id++)
            {
                var source = _sources[id];
                var logs = _checkpointing?.Directory is { } directory ? Path.Combine(directory, "receivers", $"input-{id}") : null;
                source.Start(new SourceContext((name, error) => _listeners.Post(l => l.OnSourceError(name, error)), _abort.Token, logs));
                started.Add(source);
            }
        }
        catch
        {
            _abort.Cancel();
            Task.WhenAll(started.Select(s => s.StopAsync())).GetAwaiter().GetResult();
            throw;
        }

        // Fixed here, not on the generator's thread, so that the first batch time is the first
        // interval boundary after the start, however late that thread begins.
        var interval = _context.BatchInterval.Ticks;
        _firstBatch = new BatchTime((_context.Clock.NowTicks / interval + 1) * interval);
        if (_checkpointing?.LastKnownBatch is { } known && known >= _firstBatch)
        {
            _firstBatch = known + _context.BatchInterval;
        }

        if (_commits.LatestTime is { } committed && committed >= _firstBatch)
        {
            // A sink skips a batch time it has committed: new batches must come after every commit.
            _firstBatch = committed + _context.BatchInterval;
        }

        _lifetime = RunAsync();
    }

    public async Task StopAsync(bool graceful)
    {
        _graceful = graceful;
        var fromRunner = Runner.Value == this;
        if (graceful)
        {
            // Stop receiving first, so that the final batch holds everything received.
            await StopSourcesAsync().ConfigureAwait(false);
        }
        else
        {
            await _abort.CancelAsync().ConfigureAwait(false);
        }

        await _stopGenerating.CancelAsync().ConfigureAwait(false);
        if (!fromRunner)
        {
            // Called from an output or a listener, the runner would be waiting for itself: the
            // stop is requested and completes once the current batch returns.
            await _lifetime.ConfigureAwait(false);
        }
    }

    private async Task RunAsync()
    {
        var generator = Task.Run(GenerateAsync);
        var runner = Task.Run(ProcessAsync);
        Exception? crash = null;
        try
        {
            await runner.ConfigureAwait(false);
        }
        catch (Exception error)
        {
            crash = error;
            await _abort.CancelAsync().ConfigureAwait(false);
        }

        // Whatever ended the runner, the generator and the sources stop and termination is
        // reported, so that AwaitTerminationAsync never hangs on an engine fault.
        await _stopGenerating.CancelAsync().ConfigureAwait(false);
        try
        {
            await generator.ConfigureAwait(false);
        }
        catch (Exception error)
        {
            crash ??= error;
        }

        try
        {
            await StopSourcesAsync().ConfigureAwait(false);
        }
        catch (Exception error)
        {
            crash ??= error;
        }

        var failure = _failure ?? (crash is null ? null : new BatchFailedException(_lastCompleted ?? default, "Scheduler", crash));
        if (failure is not null)
        {
            _termination.TrySetException(failure);
        }
        else
        {
            _termination.TrySetResult();
        }
    }

    private async Task GenerateAsync()
    {
        var clock = _context.Clock;
        var next = _firstBatch;
        foreach (var job in _recovered)
        {
            _listeners.Post(l => l.OnBatchSubmitted(new BatchInfo(job.Time, job.SubmissionTime)));
            _queue.Writer.TryWrite(job);
        }

        try
        {
            while (true)
            {
                await clock.WaitUntilAsync(next.Ticks, _stopGenerating.Token).ConfigureAwait(false);
                Submit(next);
                next += _context.BatchInterval;
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            if (_graceful && !_abort.IsCancellationRequested && _sources.Any(HasPending))
            {
                Submit(next);
            }

            _queue.Writer.TryComplete();
        }
    }

    private void Submit(BatchTime time)
    {
        BatchJob job;
        lock (_sealGate)
        {
            job = new BatchJob(time, _sources.Select(s => Seal(s, time)).ToArray(), _context.Clock.NowTicks, []);
            if (_checkpointing is not null)
            {
                _pending.Add(job);
            }
        }
        _listeners.Post(l => l.OnBatchSubmitted(new BatchInfo(time, job.SubmissionTime)));
        _queue.Writer.TryWrite(job);
    }

    /// <summary>
    /// A source that cannot seal (its directory vanished, its server timed out) fails the batch
    /// that reads it, naming the source, instead of stopping the generator.
    /// </summary>
    private static ISealedInput Seal(IBatchSource source, BatchTime time)
    {
        try
        {
            return source.Seal(time);
        }
        catch (Exception error)
        {
            return new FailedInput(error as SourceException ?? new SourceException(source.Name, "could not seal the batch: " + error.Message, error));
        }
    }

    private bool HasPending(IBatchSource source)
    {
        try
        {
            return source.HasPending;
        }
        catch (Exception error)
        {
            _listeners.Post(l => l.OnSourceError(source.Name, error));
            return false;
        }
    }

    private async Task ProcessAsync()
    {
        Runner.Value = this;
        try
        {
            await foreach (var job in _queue.Reader.ReadAllAsync(_abort.Token).ConfigureAwait(false))
            {
                var failure = await ProcessBatchAsync(job).ConfigureAwait(false);
                if (failure is not null && _context.Options.StopOnBatchFailure)
                {
                    _failure = failure;
                    await _abort.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
        }
    }

    private async Task<BatchFailedException?> ProcessBatchAsync(BatchJob job)
    {
        var clock = _context.Clock;
        var info = new BatchInfo(job.Time, job.SubmissionTime, ProcessingStartTime: clock.NowTicks);
        _listeners.Post(l => l.OnBatchStarted(info));
        var cancellation = _abort.Token;
        BatchFailedException? failure = null;
        long records = 0;
        try
        {
            var inputs = new Dictionary<int, Array>(job.Inputs.Count);
            for (var i = 0; i < job.Inputs.Count; i++)
            {
                try
                {
                    inputs[i] = await job.Inputs[i].ReadAsync(cancellation).ConfigureAwait(false);
                }
                catch (Exception error) when (error is not OperationCanceledException || !cancellation.IsCancellationRequested)
                {
                    throw new BatchFailedException(job.Time, $"Source [{_sources[i].Name}#{i}]", error);
                }

                records += inputs[i].Length;
            }

            var skipped = new HashSet<int>(job.DoneOutputs);
            if (_checkpointing is not null && _plan.Outputs.Any(o => o.Output.Delivery != DeliveryGuarantee.AtLeastOnce && !skipped.Contains(o.Output.Index)))
            {
                foreach (var (output, _) in _plan.Outputs.Where(o => o.Output.Delivery == DeliveryGuarantee.AtMostOnce))
                {
                    job.DoneOutputs.Add(output.Index);
                }

                Checkpoint(job.Time);
            }

            var offsets = _plan.Outputs.Any(o => o.Output.Target is ITransactionalSink) ? BatchCheckpointing.Offsets(_sources, job) : "{}";
            var execution = new BatchExecution(job.Time, inputs, _context.Options, cancellation);
            foreach (var (output, root) in _plan.Outputs)
            {
                if (execution.Evaluate(root) is not { } batch)
                {
                    continue; // the output's stream has no batch at this time, e.g. a window between slides
                }

                if (skipped.Contains(output.Index) || HeldBySink(output, root, job))
                {
                    // Done before a crash (at most once, or committed by a transactional sink): not
                    // written again, but its plan still ran above, so that stateful operators it
                    // alone reads see the replayed batch.
                    continue;
                }

                try
                {
                    await output.WriteAsync(batch, new BatchCommit(output.Description, job.Time, offsets), cancellation).ConfigureAwait(false);
                }
                catch (Exception error) when (error is not OperationCanceledException || !cancellation.IsCancellationRequested)
                {
                    throw new BatchFailedException(job.Time, output.Description, error);
                }
            }
        }
        catch (BatchFailedException error)
        {
            failure = error;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception error)
        {
            failure = new BatchFailedException(job.Time, "Scheduler", error);
        }

        // A batch that stops the context stays pending, to be replayed after a restart; one the
        // context moves past is committed like a completed one.
        if (_checkpointing is not null && (failure is null || !_context.Options.StopOnBatchFailure))
        {
            lock (_sealGate)
            {
                _pending.Remove(job);
                _lastCompleted = job.Time;
            }

            try
            {
                Checkpoint(job.Time);
                for (var i = 0; i < _sources.Length; i++)
                {
                    // Committed: a source may drop what it kept to replay this batch.
                    (_sources[i] as IOffsetRangeSource)?.Acknowledge(job.Inputs[i]);
                }
            }
            catch (BatchFailedException error)
            {
                failure ??= error;
            }
            catch (Exception error)
            {
                failure ??= new BatchFailedException(job.Time, "Commit", error);
            }
        }

        var done = info with { ProcessingEndTime = clock.NowTicks, RecordCount = records, Failure = failure };
        Record(done);
        _listeners.Post(l => l.OnBatchCompleted(done));
        return failure;
    }

    private bool HeldBySink(Sinks.OutputOperation output, PlanNode root, BatchJob job)
    {
        try
        {
            return _commits!.Holds(output, root, job, _sources);
        }
        catch (InvalidOperationException error)
        {
            throw new BatchFailedException(job.Time, output.Description, error);
        }
    }

    /// <summary>Writes a checkpoint; a failure to write fails the batch.</summary>
    private void Checkpoint(BatchTime time)
    {
        try
        {
            _checkpointing!.Write(_sealGate, _sources, _pending, _lastCompleted, _operators);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // IO errors, and state that System.Text.Json cannot write, fail the batch visibly.
            throw new BatchFailedException(time, "Checkpoint", error);
        }
    }

    private void Warn(string message) => _listeners.Post(l => l.OnCheckpointWarning(message));

    private static void Record(BatchInfo info)
    {
        (info.Failure is null ? StreamingMetrics.BatchesCompleted : StreamingMetrics.BatchesFailed).Add(1);
        StreamingMetrics.RecordsProcessed.Add(info.RecordCount ?? 0);
        StreamingMetrics.ProcessingDelay.Record(info.ProcessingDelay?.TotalMilliseconds ?? 0);
        StreamingMetrics.SchedulingDelay.Record(info.SchedulingDelay?.TotalMilliseconds ?? 0);
    }

    private Task StopSourcesAsync()
    {
        lock (_gate)
        {
            if (!_sourcesStopping)
            {
                _sourcesStopping = true;
                _sourcesStopped = Task.WhenAll(_sources.Select(s => s.StopAsync()));
            }

            return _sourcesStopped;
        }
    }
}
