using System.Threading.Channels;
using StreamLinq.Checkpointing;
using StreamLinq.Execution;
using StreamLinq.Monitoring;
using StreamLinq.Query;
using StreamLinq.Sinks;
using StreamLinq.Sources;
using StreamLinq.State;

namespace StreamLinq.Scheduling;

/// <summary>
/// Spark's job generator and job scheduler in one: at each batch time every input is sealed and
/// the batch queued (by the runner thread when it is idle, by a generator thread while it is
/// busy); the runner processes the queued batches one at a time, in order, running every output
/// operation of the plan.
/// </summary>
/// <remarks>
/// <para>The generator only waits on the clock and seals; sealing never calls out (a pull source
/// that needs a server, such as Redis, resolves its range when the runner reads the batch), so
/// the generator always sees a stop request. The queue is bounded
/// (<see cref="StreamingOptions.MaxQueuedBatches"/>): when it is full the next seal is held back
/// until the runner takes a batch (and then seals it, see <see cref="HandBoundaryToGenerator"/>),
/// and push sources' bounded receivers hold their producers back; nothing is dropped and batch
/// times stay consecutive.</para>
/// <para>With checkpointing, each batch is committed by a checkpoint after its outputs ran (at
/// least once). A batch with an at-most-once or exactly-once output is also logged before its
/// outputs run: its offset ranges become durable, so a replay reads the same records under the
/// same batch time, and its at-most-once outputs are marked done, so a replay skips them.
/// Transactional outputs' last commits, read back from the sinks at start
/// (<see cref="SinkCommits"/>), move replayable sources past them and skip the batches they
/// already hold, when the checkpoint is behind them or missing.</para>
/// <para>A failed batch is retried under <see cref="StreamingOptions.RestartStrategy"/> (Polly)
/// when it failed transiently; a retry resumes the batch where it failed (see
/// <see cref="BatchProgress"/>).</para>
/// <para>A batch that needs nothing of the pool costs one thread wake: a runner out of batches
/// sleeps to the next boundary itself and seals the batch there (the generator, meanwhile, sleeps
/// without a time set), its first attempt makes its calls on the runner's thread under
/// <see cref="RunnerDeadline"/>, and the retry pipeline is entered only after a failure. While the
/// runner has a batch to run, the generator holds the boundary instead.</para>
/// </remarks>
internal sealed class BatchScheduler
{
    private readonly StreamingContext _context;
    private readonly IBatchSource[] _sources;
    private readonly ExecutionPlan _plan;
    private readonly ListenerBus _listeners;
    /// <summary>The scheduler whose runner is executing the current code, to spot a stop requested from an output.</summary>
    private static readonly AsyncLocal<BatchScheduler?> Runner = new();
    private readonly Channel<BatchJob> _queue;
    private readonly CancellationTokenSource _stopGenerating = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource _termination = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _runnerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Guards the next boundary and which thread holds it: the runner while it has no batch to
    /// run, the generator while it has one (and during recovery and after the stop).
    /// </summary>
    private readonly Lock _timing = new();
    private BatchTime _next;
    private bool _runnerTimes;
    private bool _recovering = true;
    private bool _nextHeldBack;

    /// <summary>The generator waits for the runner to take a batch from the full queue (guarded by <see cref="_timing"/>).</summary>
    private bool _waitingForRoom;

    /// <summary>
    /// Set when the generator held back for room may go on (no batch is due any more), or at a
    /// stop. It sleeps at once: no wake of it is in a hurry. Never disposed: it holds no kernel
    /// handle unless one is asked for.
    /// </summary>
    private readonly ManualResetEventSlim _room = new(initialState: false, spinCount: 0);
    private readonly BoundaryWait _generatorWait;
    private readonly BoundaryWait _runnerWait;
    private readonly RunnerDeadline _deadline;
    private readonly Lock _gate = new();
    private readonly BatchRetry _retry;
    private readonly TimeProvider _time;
    private readonly bool _snapshotState;
    private Task _sourcesStopped = Task.CompletedTask;
    private bool _sourcesStopping;
    private Task _lifetime = Task.CompletedTask;
    private volatile bool _graceful;
    private volatile bool _abandoned;
    private BatchFailedException? _failure;
    private readonly IStatefulOperator[] _operators;
    private readonly CommitProtocol _protocol;
    private readonly bool _checkpoints;
    private IReadOnlyList<BatchJob> _recovered = [];
    private BatchProgress? _current;

    /// <summary>
    /// The last batch's progress, once nothing refers to it (no call of it left running): the
    /// next batch reuses it, with its commit record, input map and plan memo, so that a batch
    /// allocates little beyond what it hands to listeners and outputs. The runner's alone.
    /// </summary>
    private BatchProgress? _spare;
    private readonly BatchIntervalSchedule _intervals;
    private readonly CheckpointData? _checkpoint;

    /// <summary>The batch's plan and output writes as the commit protocol calls them, made once rather than per batch.</summary>
    private readonly Func<PlanNode, System.Collections.IEnumerable?> _evaluate;
    private readonly Func<OutputOperation, System.Collections.IEnumerable, BatchCommit, CancellationToken, Task> _writeOnRunner;
    private readonly Func<OutputOperation, System.Collections.IEnumerable, BatchCommit, CancellationToken, Task> _writeRetrying;

    /// <summary>Each source's name in a failure or a time-out of its read, made once rather than per batch.</summary>
    private readonly string[] _sourceCalls;

    public BatchScheduler(StreamingContext context, IBatchSource[] sources, ExecutionPlan plan, ListenerBus listeners, BatchCheckpointing? checkpointing = null)
    {
        _context = context;
        _sources = sources;
        _plan = plan;
        _listeners = listeners;
        _time = context.Time;
        _operators = StateIds.Distinct(plan.Outputs.SelectMany(o => ExecutionPlan.Nodes(o.Root)).Distinct(ReferenceEqualityComparer.Instance).OfType<IStatefulOperator>());
        _protocol = new CommitProtocol(checkpointing, sources, plan, _operators, context.Telemetry);
        _checkpoints = checkpointing is not null;
        _checkpoint = checkpointing?.Recovered;
        _sourceCalls = [.. sources.Select((source, i) => $"Source [{source.Name}#{i}]")];
        _evaluate = Evaluate;
        _writeOnRunner = (output, batch, commit, token) => WriteAsync(output, batch, commit, token, onRunner: true);
        _writeRetrying = (output, batch, commit, token) => WriteAsync(output, batch, commit, token, onRunner: false);
        _intervals = context.Intervals;
        _intervals.Attach(plan.Outputs.SelectMany(o => ExecutionPlan.Nodes(o.Root)));
        if (context.BatchInterval >= context.Options.EagerWorkMinInterval)
        {
            foreach (var node in plan.Outputs.SelectMany(o => ExecutionPlan.Nodes(o.Root)).OfType<IEagerNode>())
            {
                node.StartEager();
            }
        }
        _queue = Channel.CreateBounded<BatchJob>(new BoundedChannelOptions(context.Options.MaxQueuedBatches)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });

        // Only a custom classification can make user code in the plan transient; then, and only
        // with state to protect, the state before each batch is kept for a retry to start from.
        _snapshotState = _operators.Length > 0 && context.Options.IsTransient is not null && context.Options.RestartStrategy.Kind != RestartStrategyKind.None;
        _retry = new BatchRetry(context.Options.RestartStrategy, ShouldRetry, OnRetry, _time);
        _deadline = new RunnerDeadline(_time, context.Options.OperationTimeout, _abort.Token, TakeOver);
        _generatorWait = BoundaryWait.Create(_time);
        _runnerWait = BoundaryWait.Create(_time);
        _abort.Token.UnsafeRegister(static scheduler => ((BatchScheduler)scheduler!).WakeBoth(), this);
        _stopGenerating.Token.UnsafeRegister(static scheduler => ((BatchScheduler)scheduler!).WakeBoth(), this);
    }

    /// <summary>Completes when the scheduler has stopped; faults with the failure that stopped it.</summary>
    public Task Termination => _termination.Task;

    /// <summary>
    /// Restores the checkpoint, reads the sinks' commits, starts the sources (awaiting each) and
    /// then the generator and runner. A failure stops the sources already started and is thrown.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await StartCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Never started, the scheduler never ends either: its waits' descriptors go now.
            _generatorWait.Dispose();
            _runnerWait.Dispose();
            throw;
        }
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        // Positions, state and the sinks' commits are restored before the sources start, so
        // that they resume there (past the commits, when the checkpoint is behind them).
        _recovered = await _protocol.RecoverAsync(_time.UnixTicks(), _context.Options.SinkCommitReadTimeout, _time, Warn, cancellationToken).ConfigureAwait(false);

        if (_intervals.Resume(_checkpoint) is { } kept)
        {
            Warn(kept);
        }

        var started = new List<IBatchSource>();
        try
        {
            for (var id = 0; id < _sources.Length; id++)
            {
                var source = _sources[id];
                await source.StartAsync(new SourceContext((name, error) => _listeners.Post(l => l.OnSourceError(name, error)), _abort.Token, _protocol.WriteAheadLogDirectory(id))
                {
                    RetainedCheckpoints = _protocol.RetainedCheckpoints,
                    CheckpointsWritten = () => _protocol.CheckpointsWritten,
                    RecordsDroppedListener = dropped => _listeners.Post(l => l.OnRecordsDropped(dropped)),
                    Job = _context.Telemetry.Job,
                    BatchInterval = _context.BatchInterval,
                    IntervalInForce = () => _intervals.Current,
                    ReceiverBlockedListener = blocked => _listeners.Post(l => l.OnReceiverBlocked(blocked)),
                    TimeProvider = _time,
                }, cancellationToken).ConfigureAwait(false);
                started.Add(source);
            }
        }
        catch
        {
            await _abort.CancelAsync().ConfigureAwait(false);
            await CompletesWithinAsync(Task.WhenAll(started.Select(s => s.StopAsync())), _context.Options.StopTimeout).ConfigureAwait(false);
            throw;
        }

        // Fixed here, not on the generator's thread, so that the first batch time is the first
        // interval boundary after the start, however late that thread begins.
        var interval = _intervals.Current;
        _next = _protocol.FirstBatch(new BatchTime(BatchIntervalSchedule.NextBoundary(_time.UnixTicks(), interval.Ticks)), interval);

        _lifetime = RunAsync();
    }

    /// <summary>
    /// Stops, within a bounded time whatever the sources, sinks or user code do: a graceful stop
    /// that has not drained after <see cref="StreamingOptions.GracefulStopTimeout"/> turns abrupt,
    /// and a batch that ignores its cancellation for <see cref="StreamingOptions.StopTimeout"/> is
    /// abandoned.
    /// </summary>
    public async Task StopAsync(bool graceful)
    {
        _graceful = graceful;
        var fromRunner = Runner.Value == this;
        var options = _context.Options;
        if (graceful)
        {
            // Stop receiving first, so that the final batch holds everything received. A source
            // whose stop hangs does not hold the context: it is reported and left behind.
            if (!await CompletesWithinAsync(StopSourcesAsync(), options.StopTimeout).ConfigureAwait(false))
            {
                SourcesDidNotStop(options.StopTimeout);
            }
        }
        else
        {
            await _abort.CancelAsync().ConfigureAwait(false);
        }

        await _stopGenerating.CancelAsync().ConfigureAwait(false);
        if (fromRunner)
        {
            // Called from an output or a listener, the runner would be waiting for itself: the
            // stop is requested and completes once the current batch returns.
            return;
        }

        if (graceful && !await CompletesWithinAsync(_lifetime, GracefulStopTimeout).ConfigureAwait(false))
        {
            Warn($"The queued batches did not drain within {GracefulStopTimeout}; the context stops abruptly and drops them.");
            _context.Telemetry.GracefulStopTurnedAbrupt(GracefulStopTimeout);
            await _abort.CancelAsync().ConfigureAwait(false);
        }

        if (!await CompletesWithinAsync(_lifetime, options.StopTimeout).ConfigureAwait(false))
        {
            Abandon();
        }
    }

    private TimeSpan GracefulStopTimeout =>
        _context.Options.GracefulStopTimeout ?? TimeSpan.FromTicks(Math.Max(10 * _context.BatchInterval.Ticks, TimeSpan.FromSeconds(10).Ticks));

    private async Task<bool> CompletesWithinAsync(Task task, TimeSpan limit)
    {
        try
        {
            // Beyond what a timer can wait for (about 49 days), the limit is no limit.
            await task.WaitAsync(limit < TimeSpan.FromDays(40) ? limit : Timeout.InfiniteTimeSpan, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (Exception)
        {
            // Its failure is reported where it is awaited for good; here only its end counts.
        }

        return true;
    }

    /// <summary>
    /// The batch in progress ignored its cancellation: the context is reported stopped without
    /// it. It may still finish in the background, but writes no checkpoint (and acknowledges no
    /// source), so that a restart replays it from the last checkpoint.
    /// </summary>
    private void Abandon()
    {
        _abandoned = true;
        _protocol.Abandon();
        var time = Volatile.Read(ref _current)?.Job.Time ?? _protocol.LastCompleted ?? default;
        _termination.TrySetException(new BatchFailedException(time, "Scheduler",
            new TimeoutException($"The batch in progress did not stop within {_context.Options.StopTimeout} of the stop request; it was abandoned."), BatchStage.Scheduler));
    }

    private async Task RunAsync()
    {
        var generator = StartGenerator();
        StartRunner(resume: null);
        Exception? crash = null;
        try
        {
            await _runnerDone.Task.ConfigureAwait(false);
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
            // The generator only waits on the clock and seals, but a source's seal is still its
            // code: one stuck in it (a hung file system) must not hold the termination.
            if (!await CompletesWithinAsync(generator, _context.Options.StopTimeout).ConfigureAwait(false))
            {
                SourcesDidNotStop(_context.Options.StopTimeout);
            }
            else
            {
                await generator.ConfigureAwait(false);
            }
        }
        catch (Exception error)
        {
            crash ??= error;
        }

        try
        {
            var stopped = StopSourcesAsync();
            if (!await CompletesWithinAsync(stopped, _context.Options.StopTimeout).ConfigureAwait(false))
            {
                SourcesDidNotStop(_context.Options.StopTimeout);
            }
            else if (stopped.Exception is { } error)
            {
                crash ??= error.InnerException ?? error;
            }
        }
        catch (Exception error)
        {
            crash ??= error;
        }

        var failure = _failure ?? (crash is null ? null : new BatchFailedException(_protocol.LastCompleted ?? default, "Scheduler", crash, BatchStage.Scheduler));
        _deadline.Dispose();
        _generatorWait.Dispose();
        _runnerWait.Dispose();
        if (failure is not null)
        {
            _termination.TrySetException(failure);
        }
        else
        {
            _termination.TrySetResult();
        }
    }

    /// <summary>
    /// Runs the generator on a thread of its own (Spark's <c>RecurringTimer</c> thread). It seals
    /// the boundaries that come while the runner has a batch to run, so that sealing the next
    /// batch overlaps running this one; while the runner is idle it sleeps, and the runner seals.
    /// </summary>
    private Task StartGenerator()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Generate();
                done.TrySetResult();
            }
            catch (Exception error)
            {
                done.TrySetException(error);
            }
        })
        {
            IsBackground = true,
            Name = "StreamLinq batch generator",
        };
        thread.Start();
        return done.Task;
    }

    /// <summary>Waits on the generator's own thread, which exists to wait: the queue's room, a recovered batch's place.</summary>
    private static T Block<T>(ValueTask<T> pending) => pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();

    private static void Block(ValueTask pending)
    {
        if (!pending.IsCompletedSuccessfully)
        {
            pending.AsTask().GetAwaiter().GetResult();
        }
    }

    private void Generate()
    {
        var stopping = _stopGenerating.Token;
        try
        {
            foreach (var job in _recovered)
            {
                _listeners.BatchSubmitted(job.Time, job.SubmissionTime, job.Interval);
                Block(_queue.Writer.WriteAsync(job, _abort.Token));
                WakeRunner();
            }

            lock (_timing)
            {
                // The generator holds the boundary until the runner, out of batches, takes it.
                _recovering = false;
                Arm(_generatorWait);
            }

            WakeRunner();
            while (true)
            {
                // A time provider is user code: one that returns at once for a past deadline must
                // not let a generator that is behind miss the stop.
                stopping.ThrowIfCancellationRequested();

                // An abrupt stop wakes the generator held back for room: no runner reads any more.
                _abort.Token.ThrowIfCancellationRequested();
                if (!GeneratorDue())
                {
                    _generatorWait.Wait();
                    continue;
                }

                // Room seen here stays until this batch is written: the runner writes only while it
                // holds the boundary or while this thread waits for room, and then this thread
                // does not write.
                if (HoldBackForRoom())
                {
                    _room.Wait();
                    continue;
                }

                if (SubmitDue(byRunner: false))
                {
                    WakeRunner();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            try
            {
                if (_graceful && !_abort.IsCancellationRequested && _sources.Any(HasPending)
                    && Block(_queue.Writer.WaitToWriteAsync(_abort.Token)))
                {
                    lock (_timing)
                    {
                        Submit(_next, _intervals.Current, heldBack: false);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                lock (_timing)
                {
                    // Under the lock that a runner's seal holds: no seal writes after the completion.
                    _intervals.Stop();
                    _queue.Writer.TryComplete();
                }

                WakeRunner();
            }
        }
    }

    /// <summary>
    /// Whether the generator holds the boundary and it has come; if it holds it and it has not,
    /// its wait is set to it (a wait may have ended early, spending its timer).
    /// </summary>
    private bool GeneratorDue()
    {
        lock (_timing)
        {
            if (_runnerTimes)
            {
                return false;
            }

            if (_time.UnixTicks() >= _next.Ticks)
            {
                return true;
            }

            Arm(_generatorWait);
            return false;
        }
    }

    /// <summary>
    /// Seals and queues the batch at the boundary if the caller holds it, it has come and the
    /// context is not stopping; sets the caller's wait to the boundary after. Says whether it did.
    /// A batch the generator held back for a full queue counts as submitted when it was due.
    /// </summary>
    private bool SubmitDue(bool byRunner)
    {
        lock (_timing)
        {
            if (_runnerTimes != byRunner || !NextDue())
            {
                return false;
            }

            // Held back, the batch is late however it ends (the runner may take the boundary and
            // seal it once the queue emptied).
            SubmitNext(_nextHeldBack);
            _nextHeldBack = false;
            Arm(byRunner ? _runnerWait : _generatorWait);
            return true;
        }
    }

    /// <summary>Whether the next boundary has come and the context is not stopping (a stop wins over a due time: the final batch is the generator's, at its end). Under <see cref="_timing"/>.</summary>
    private bool NextDue() => !_stopGenerating.IsCancellationRequested && _time.UnixTicks() >= _next.Ticks;

    /// <summary>Seals and queues the batch at the next boundary and moves the boundary on. Under <see cref="_timing"/>.</summary>
    private void SubmitNext(bool heldBack)
    {
        // The next time is fixed before this batch is queued, so that a change asked for once
        // this batch completed applies at the boundary after it, not at this one.
        var interval = _intervals.Current;
        var following = _intervals.After(_next);
        Submit(_next, interval, heldBack);
        _next = following;
    }

    /// <summary>
    /// The queue is full: the due batch is held back until the runner takes a batch
    /// (<see cref="HandBoundaryToGenerator"/>) or a stop, which set <see cref="_room"/>. The
    /// generator does not wait on the channel's room: the channel completes that wait on a pool
    /// thread, which then spun before sleeping again, one more thread woken per batch.
    /// </summary>
    private bool HoldBackForRoom()
    {
        lock (_timing)
        {
            if (_queue.Reader.Count < _context.Options.MaxQueuedBatches)
            {
                // The room seen here is the generator's: the runner seals into it only while the
                // generator waits for room.
                _waitingForRoom = false;
                return false;
            }

            if (!_waitingForRoom)
            {
                _waitingForRoom = true;
                _nextHeldBack = true;
                _room.Reset();
            }

            return true;
        }
    }

    /// <summary>
    /// The runner took a batch to run: the generator takes the boundary, to seal it if the batch is
    /// still running then. If the generator is held back for room, the runner seals the due batch
    /// itself into the room it just made (sealing never calls out, and the generator's wake, a
    /// hand-off per batch, cost more than the seal while the job catches up); once no batch is
    /// due it wakes the generator, which goes back to waiting on the clock.
    /// </summary>
    private void HandBoundaryToGenerator()
    {
        lock (_timing)
        {
            if (_runnerTimes)
            {
                // The runner's own wait stays set: if it fires during the batch, the runner's next
                // wait returns at once, which costs less than clearing it now and setting it again.
                _runnerTimes = false;
                Arm(_generatorWait);
            }

            // The generator may have filled the room this batch made, between the runner's read
            // and this lock, and then gone to wait: the runner's next read comes back here.
            if (!_waitingForRoom || _queue.Reader.Count >= _context.Options.MaxQueuedBatches)
            {
                return;
            }

            if (NextDue())
            {
                SubmitNext(heldBack: true);
                return;
            }

            _waitingForRoom = false;
            _nextHeldBack = false;
        }

        _room.Set();
    }

    /// <summary>
    /// The runner is out of batches: it takes the boundary, and the generator sleeps through it.
    /// Not during recovery (the recovered batches go first), once generation stopped, nor when
    /// the generator queued a batch since the runner looked (its wake is pending).
    /// </summary>
    private bool TakeBoundary()
    {
        lock (_timing)
        {
            if (_recovering || _stopGenerating.IsCancellationRequested || _queue.Reader.Count > 0)
            {
                return false;
            }

            if (!_runnerTimes)
            {
                _runnerTimes = true;
                _generatorWait.Disarm();
            }

            // Set before every wait, not only at the take: a wait may have ended early, spending its timer.
            Arm(_runnerWait);
            return true;
        }
    }

    /// <summary>Sets a wait to the next boundary; the boundaries after it are likely one interval apart (see <see cref="BoundaryWait.Arm"/>).</summary>
    private void Arm(BoundaryWait wait) => wait.Arm(_next.Ticks, _intervals.Current.Ticks);

    private void Submit(BatchTime time, TimeSpan interval, bool heldBack)
    {
        // Held back by a full queue, the batch counts as submitted when it was due, so that the
        // hold shows as scheduling delay (and the rate controller sees the backlog).
        if (heldBack)
        {
            StreamingMetrics.BatchesHeldBack.Add(1, _context.Telemetry.JobTag);
        }

        var job = _protocol.Seal(time, interval, (Scheduler: this, Time: time, HeldBack: heldBack), static state =>
        {
            var sources = state.Scheduler._sources;
            var inputs = new ISealedInput[sources.Length];
            for (var i = 0; i < sources.Length; i++)
            {
                inputs[i] = Seal(sources[i], state.Time);
            }

            var now = state.Scheduler._time.UnixTicks();
            return (state.HeldBack ? Math.Min(state.Time.Ticks, now) : now, inputs);
        });

        _listeners.BatchSubmitted(time, job.SubmissionTime, job.Interval);
        if (!_queue.Writer.TryWrite(job))
        {
            // One writer at a time (under _timing, or the generator during recovery), and room was
            // seen just before (the runner writes only to an empty queue): only a completed channel refuses.
            throw new InvalidOperationException("The batch queue refused a batch.");
        }
    }

    /// <summary>
    /// A source that cannot seal (its directory vanished) fails the batch that reads it, naming
    /// the source, instead of stopping the generator.
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

    /// <summary>
    /// Runs the batches on a thread of its own, like the generator. Out of batches, it holds the
    /// next boundary itself: it sleeps to it, seals the batch and runs it, so that an idle
    /// context's batch costs one thread wake and, when its calls complete synchronously, no
    /// thread-pool hop; with a batch to run it hands the boundary to the generator, which seals it
    /// if the batch is still running then (see <see cref="BoundaryWait"/>).
    /// <paramref name="resume"/>, for a runner that takes over from one left to a call (see
    /// <see cref="TakeOver"/>), finishes the batch in progress first; it says whether to go on.
    /// </summary>
    private void StartRunner(Func<bool>? resume)
    {
        var thread = new Thread(() =>
        {
            Runner.Value = this;
            try
            {
                if (resume?.Invoke() ?? true)
                {
                    RunBatches();
                }

                _runnerDone.TrySetResult();
            }
            catch (RunnerReplacedException)
            {
                // A call this thread was left to returned: another runner has the batches.
            }
            catch (OperationCanceledException) when (_abort.IsCancellationRequested)
            {
                _runnerDone.TrySetResult();
            }
            catch (Exception error)
            {
                _runnerDone.TrySetException(error);
            }
        })
        {
            IsBackground = true,
            Name = "StreamLinq batch runner",
        };
        thread.Start();
    }

    private void RunBatches()
    {
        var reader = _queue.Reader;

        // An abrupt stop drops the queued batches (they stay pending in the checkpoint).
        while (!_abort.IsCancellationRequested)
        {
            if (reader.TryRead(out var job))
            {
                HandBoundaryToGenerator();
                if (!ProcessBatch(job))
                {
                    return;
                }

                continue;
            }

            if (reader.Completion.IsCompleted)
            {
                return;
            }

            if (TakeBoundary() && SubmitDue(byRunner: true))
            {
                continue;
            }

            // A wake before the wait is kept: a batch queued since the read is not missed.
            _runnerWait.Wait();
        }
    }

    private void WakeRunner() => _runnerWait.Wake();

    private void WakeBoth()
    {
        _generatorWait.Wake();
        _runnerWait.Wake();
        _room.Set();
    }

    /// <summary>Runs one batch on the runner's thread; says whether to go on with the next.</summary>
    /// <exception cref="RunnerReplacedException">The batch went on without this thread (see <see cref="TakeOver"/>).</exception>
    private bool ProcessBatch(BatchJob job)
    {
        var start = _time.UnixTicks();
        using var span = _context.Telemetry.StartBatch(job.Time);
        _listeners.BatchStarted(job.Time, job.SubmissionTime, job.Interval, start);
        var progress = _spare is { } spare ? spare.Restart(_protocol.Begin(job, spare.Commit), start) : new BatchProgress(_protocol.Begin(job), start);
        _spare = null;
        Volatile.Write(ref _current, progress);
        Exception? error = null;
        try
        {
            // The first attempt makes its calls on this thread; the retry pipeline is entered only
            // if it fails.
            Wait(AttemptAsync(progress, onRunner: true, _abort.Token));
        }
        catch (RunnerReplacedException)
        {
            throw;
        }
        catch (Exception failed)
        {
            error = failed;
        }

        return Finish(progress, error);
    }

    /// <summary>
    /// A call of the first attempt outlived its deadline (or the stop) while it ran on the runner's
    /// thread: that thread is left to it, and a new runner finishes the batch as if the call had
    /// failed with the time-out (or been cancelled), then runs the next batches.
    /// </summary>
    private void TakeOver(string what, BatchStage stage, bool stopping)
    {
        if (Volatile.Read(ref _current) is not { } progress)
        {
            return;
        }

        progress.MarkCallLeftRunning();
        Exception failure = stopping
            ? new OperationCanceledException(_abort.Token)
            : new BatchFailedException(progress.Job.Time, what, RunnerDeadline.Exceeded(what, _context.Options.OperationTimeout), stage);
        StartRunner(() => Finish(progress, failure));
    }

    /// <summary>
    /// Ends a batch after its first attempt: retries it when that failed transiently, commits a
    /// failed batch the context moves past, reports it. Says whether to go on with the next batch.
    /// </summary>
    private bool Finish(BatchProgress progress, Exception? error)
    {
        var job = progress.Job;
        BatchFailedException? failure = null;
        try
        {
            switch (error)
            {
                case null:
                    break;
                case BatchFailedException first:
                    Retry(progress, first);
                    break;
                default:
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
                    break;
            }
        }
        catch (BatchFailedException failed)
        {
            failure = failed;
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            // Stopped abruptly: the batch stays pending, to be replayed after a restart.
            return true;
        }
        catch (Exception failed)
        {
            failure = new BatchFailedException(job.Time, "Scheduler", failed, BatchStage.Scheduler);
        }
        finally
        {
            // No attempt runs any more, so no loop reads the inputs: their pooled segments go back;
            // unless a call was left running past its deadline, which may still read them (then
            // the garbage collector takes them instead of the pool).
            if (!progress.CallLeftRunning)
            {
                foreach (var input in progress.Inputs.Values)
                {
                    input.Release();
                }
            }
        }

        // A batch that stops the context stays pending, to be replayed after a restart; one the
        // context moves past is committed like a completed one.
        if (failure is not null && _checkpoints && !_context.Options.StopOnBatchFailure)
        {
            try
            {
                _protocol.Commit(progress.Commit);
            }
            catch (BatchFailedException failed)
            {
                failure = failed;
            }
        }

        _listeners.BatchCompleted(job.Time, job.SubmissionTime, job.Interval, progress.Start, _time.UnixTicks(), progress.Records, failure);
        if (!progress.CallLeftRunning)
        {
            _spare = progress;
        }

        if (failure is not null && _context.Options.StopOnBatchFailure)
        {
            _failure = failure;
            _abort.CancelAsync().GetAwaiter().GetResult();
            return false;
        }

        return true;
    }

    /// <summary>Retries a batch whose first attempt failed; apart from <see cref="Finish"/>, so that a batch that did not fail makes no closure.</summary>
    private void Retry(BatchProgress progress, BatchFailedException first) =>
        Wait(_retry.RetryAsync(first, cancellation => AttemptAsync(progress, onRunner: false, cancellation), _abort.Token));

    /// <summary>Waits on the runner's thread, which exists to run batches: a call of the batch that went asynchronous.</summary>
    private static void Wait(ValueTask pending)
    {
        if (pending.IsCompletedSuccessfully)
        {
            return;
        }

        if (pending.IsCompleted)
        {
            pending.GetAwaiter().GetResult();
            return;
        }

        pending.AsTask().GetAwaiter().GetResult();
    }


    /// <summary>
    /// One attempt at a batch, resuming where the previous attempt failed: inputs already read,
    /// the pre-output checkpoint, outputs already written and the plan's results are not redone.
    /// The first attempt (<paramref name="onRunner"/>) makes its calls on the calling thread under
    /// <see cref="_deadline"/>; retries, rare and already slow, start each call on the pool.
    /// </summary>
    private async ValueTask AttemptAsync(BatchProgress progress, bool onRunner, CancellationToken cancellation)
    {
        var job = progress.Job;
        for (var i = 0; i < job.Inputs.Count; i++)
        {
            if (progress.Inputs.ContainsKey(i))
            {
                continue;
            }

            var input = job.Inputs[i];
            var name = _sourceCalls[i];
            try
            {
                progress.Inputs[i] = onRunner
                    ? await _deadline.CallAsync(input, static (input, token) => input.ReadRecordsAsync(token), name, BatchStage.Source).ConfigureAwait(false)
                    : await ReadRetryingAsync(input, name, cancellation).ConfigureAwait(false);
            }
            catch (Exception error) when (error is not RunnerReplacedException && (error is not OperationCanceledException || !cancellation.IsCancellationRequested))
            {
                throw new BatchFailedException(job.Time, name, error, BatchStage.Source);
            }

            progress.Records += progress.Inputs[i].Count;
            _context.Telemetry.InputRead(i, _sources[i].Name, progress.Inputs[i].Count);
        }

        _protocol.BeforeOutputs(progress.Commit);

        if (progress.Execution is null || progress.PlanFailed)
        {
            if (progress.PlanFailed && progress.StateBefore is { } before)
            {
                // A retried failure of user code: the plan runs again from the state before the batch.
                foreach (var op in _operators)
                {
                    var entry = before[op.StateId];
                    op.ReadState(entry.State, entry.Version);
                }
            }
            else if (_snapshotState)
            {
                progress.StateBefore = _operators.ToDictionary(o => o.StateId, o => StateWriter.Capture(o.StateId, o));
            }

            progress.PlanFailed = false;
            progress.Execution = progress.TakeSpareExecution()?.Restart(job.Time, progress.Inputs, cancellation)
                ?? new BatchExecution(job.Time, progress.Inputs, _context.Options, cancellation);
        }

        await _protocol.RunOutputsAsync(progress.Commit, _evaluate, onRunner ? _writeOnRunner : _writeRetrying, cancellation).ConfigureAwait(false);
        _protocol.Commit(progress.Commit);
    }

    /// <summary>Evaluates an output's plan for the batch in progress (one at a time: the runner's).</summary>
    private System.Collections.IEnumerable? Evaluate(PlanNode root)
    {
        var progress = Volatile.Read(ref _current)!;
        try
        {
            return progress.Execution!.Output(root);
        }
        catch (BatchFailedException)
        {
            progress.PlanFailed = true;
            throw;
        }
    }

    /// <summary>
    /// Writes an output's results for the batch in progress: on the runner's thread under
    /// <see cref="_deadline"/> in the first attempt, started on the pool in a retry.
    /// </summary>
    private async Task WriteAsync(OutputOperation output, System.Collections.IEnumerable batch, BatchCommit commit, CancellationToken token, bool onRunner)
    {
        try
        {
            using var timing = _context.Telemetry.StartOutput(output.Description);
            if (onRunner)
            {
                await _deadline.CallAsync((output, batch, commit), static (call, limited) => Written(call.output.WriteAsync(call.batch, call.commit, limited)), output.Description, BatchStage.Output).ConfigureAwait(false);
            }
            else
            {
                await WriteRetryingAsync(output, batch, commit, token).ConfigureAwait(false);
            }
        }
        catch (Exception error) when (error is not RunnerReplacedException && (error is not OperationCanceledException || !token.IsCancellationRequested))
        {
            throw new BatchFailedException(commit.Time, output.Description, error, BatchStage.Output);
        }
    }

    /// <summary>A retry's read of an input; apart, so that the first attempt does not make its closure (made on entry to the method that holds it).</summary>
    private Task<BatchRecords> ReadRetryingAsync(ISealedInput input, string name, CancellationToken cancellation) =>
        WithTimeoutAsync(name, token => input.ReadRecordsAsync(token).AsTask(), cancellation);

    /// <summary>A retry's write of an output; apart, for the same reason as <see cref="ReadRetryingAsync"/>.</summary>
    private Task<System.Collections.IEnumerable> WriteRetryingAsync(OutputOperation output, System.Collections.IEnumerable batch, BatchCommit commit, CancellationToken token) =>
        WithTimeoutAsync(output.Description, async limited =>
        {
            await output.WriteAsync(batch, commit, limited).ConfigureAwait(false);
            return batch;
        }, token);

    /// <summary>
    /// Runs one external call of a retry under <see cref="StreamingOptions.OperationTimeout"/>: its
    /// token is cancelled at the limit or at an abrupt stop, and the batch stops waiting then even
    /// if the call ignores its token.
    /// </summary>
    private async Task<T> WithTimeoutAsync<T>(string what, Func<CancellationToken, Task<T>> call, CancellationToken cancellation)
    {
        var limit = _context.Options.OperationTimeout;
        using var deadline = new CancellationTokenSource(limit, _time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation, deadline.Token);
        try
        {
            // Started on the pool: a synchronous call (an Action sink, a blocking client) would
            // otherwise run to its end before there is a task to stop waiting for.
            return await Task.Run(() => call(timeout.Token), timeout.Token).WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellation.IsCancellationRequested)
        {
            Volatile.Read(ref _current)?.MarkCallLeftRunning();
            throw RunnerDeadline.Exceeded(what, limit);
        }
    }

    /// <summary>An output's write as the deadline's call: no allocation when it completed synchronously.</summary>
    private static ValueTask<bool> Written(Task write)
    {
        return write.IsCompletedSuccessfully ? new ValueTask<bool>(true) : new ValueTask<bool>(Awaited(write));

        static async Task<bool> Awaited(Task write)
        {
            await write.ConfigureAwait(false);
            return true;
        }
    }

    private bool ShouldRetry(BatchFailedException failure)
    {
        var progress = Volatile.Read(ref _current);
        if (_abandoned || progress is null || failure.Stage == BatchStage.Scheduler)
        {
            return false;
        }

        if (!CommitProtocol.MayRetry(progress.Commit, failure))
        {
            return false; // an at-most-once output was marked done before it ran: running it again could write twice
        }

        if (failure.Stage == BatchStage.Operator && _operators.Length > 0 && !_snapshotState)
        {
            return false; // the state may hold part of the batch already
        }

        return (_context.Options.IsTransient ?? TransientFailures.IsTransient)(failure);
    }

    private void OnRetry(BatchFailedException failure, int attempt, TimeSpan delay)
    {
        StreamingMetrics.BatchesRetried.Add(1, [.. _context.Telemetry.JobTag, new KeyValuePair<string, object?>("stage", failure.Stage.ToString())]);
        if (Volatile.Read(ref _current) is { } progress)
        {
            var info = new BatchInfo(progress.Job.Time, progress.Job.SubmissionTime, progress.Start, Failure: failure) { Interval = progress.Job.Interval };
            _listeners.Post(l => l.OnBatchRetrying(info, attempt, delay));
        }
    }

    private void SourcesDidNotStop(TimeSpan limit)
    {
        var error = new TimeoutException($"The sources did not stop within {limit}; the context stops without waiting for them.");
        foreach (var source in _sources)
        {
            _listeners.Post(l => l.OnSourceError(source.Name, error));
        }
    }

    private void Warn(string message) => _listeners.Post(l => l.OnCheckpointWarning(message));

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

    /// <summary>
    /// How far a batch got, kept across its attempts so that a retry repeats only what did not
    /// complete: inputs read, the plan's results (a stateful operator takes the batch in once),
    /// and its place in the commit protocol (pre-output checkpoint, outputs written, sources
    /// acknowledged).
    /// </summary>
    private sealed class BatchProgress(CommitProtocol.Batch commit, long start)
    {
        private BatchExecution? _spareExecution;

        public CommitProtocol.Batch Commit { get; private set; } = commit;

        public BatchJob Job => Commit.Job;

        /// <summary>When processing began, in clock ticks (the batch's <see cref="BatchInfo.ProcessingStartTime"/>).</summary>
        public long Start { get; private set; } = start;

        public Dictionary<int, BatchRecords> Inputs { get; } = [];

        /// <summary>Whether a call of this batch was left running past its deadline (it may still read the inputs).</summary>
        public bool CallLeftRunning => Volatile.Read(ref _callLeftRunning);

        private bool _callLeftRunning;

        public void MarkCallLeftRunning() => Volatile.Write(ref _callLeftRunning, true);

        public long Records { get; set; }

        public BatchExecution? Execution { get; set; }

        public bool PlanFailed { get; set; }

        public Dictionary<string, StateEntry>? StateBefore { get; set; }

        /// <summary>Reuses this finished batch's progress for the next batch (see <see cref="_spare"/>).</summary>
        public BatchProgress Restart(CommitProtocol.Batch commit, long start)
        {
            Commit = commit;
            Start = start;
            Inputs.Clear();
            Records = 0;
            _spareExecution = Execution;
            Execution = null;
            PlanFailed = false;
            StateBefore = null;
            return this;
        }

        /// <summary>The previous batch's execution, to restart for this one; null after the first take (a retry of a failed plan starts afresh).</summary>
        public BatchExecution? TakeSpareExecution()
        {
            var spare = _spareExecution;
            _spareExecution = null;
            return spare;
        }
    }
}
