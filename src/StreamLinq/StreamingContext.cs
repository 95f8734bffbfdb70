using StreamLinq.Checkpointing;
using StreamLinq.DStreams;
using StreamLinq.Monitoring;
using StreamLinq.Query;
using StreamLinq.Scheduling;
using StreamLinq.Sinks;
using StreamLinq.Sources;
using StreamLinq.State;

namespace StreamLinq;

/// <summary>
/// The driver of a streaming application (Spark's <c>StreamingContext</c>): it owns the inputs,
/// the output operations, the clock and the scheduler. Define sources, queries and outputs,
/// then <see cref="StartAsync"/>; every batch interval the records that arrived are sealed into
/// a batch and every output operation runs over it, in the order they were defined.
/// </summary>
/// <remarks>
/// The lifecycle is one way: initialized, active, stopped. Adding inputs or outputs after the
/// start, starting twice, or restarting a stopped context throws
/// <see cref="InvalidOperationException"/>, as in Spark.
/// </remarks>
public sealed partial class StreamingContext : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<IInputDStream> _inputs = [];
    private readonly List<OutputOperation> _outputs = [];
    private readonly ListenerBus _listeners;
    private BatchScheduler? _scheduler;
    private bool _starting;

    /// <summary>Creates a context that cuts a batch every <paramref name="batchInterval"/>.</summary>
    /// <param name="batchInterval">
    /// The batch interval: from 10 milliseconds to 24 hours. Windows are checked against it when
    /// they are defined; it may change at run time (<see cref="SetBatchIntervalAsync"/>,
    /// <see cref="StreamingOptions.AdaptiveInterval"/>).
    /// </param>
    /// <param name="options">The clock and execution settings; defaults when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchInterval"/> is outside the allowed range, or outside the bounds of <see cref="StreamingOptions.AdaptiveInterval"/>.</exception>
    public StreamingContext(TimeSpan batchInterval, StreamingOptions? options = null)
    {
        if (batchInterval < MinBatchInterval || batchInterval > MaxBatchInterval)
        {
            throw new ArgumentOutOfRangeException(nameof(batchInterval), batchInterval, $"The batch interval must be between {MinBatchInterval} and {MaxBatchInterval}.");
        }

        Options = options ?? new StreamingOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.MaxDegreeOfParallelism, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.MinPartitionSize, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.MaxQueuedBatches, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Options.OperationTimeout, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Options.OperationTimeout, TimeSpan.FromDays(24), nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.StopTimeout, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.GracefulStopTimeout ?? TimeSpan.Zero, TimeSpan.Zero, nameof(options));
        ArgumentNullException.ThrowIfNull(Options.RestartStrategy, nameof(options));
        ArgumentNullException.ThrowIfNull(Options.TimeProvider, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Options.SinkCommitReadTimeout, TimeSpan.Zero, nameof(options));
        if (Options.AdaptiveInterval is { } adaptive && (batchInterval < adaptive.Minimum || batchInterval > adaptive.Maximum))
        {
            throw new ArgumentOutOfRangeException(nameof(batchInterval), batchInterval, $"The batch interval must be within the adaptive bounds ({adaptive.Minimum} to {adaptive.Maximum}): adaptive batching starts from it.");
        }

        Intervals = new BatchIntervalSchedule(batchInterval);
        Telemetry = new JobTelemetry(Options);
        _listeners = new ListenerBus(Telemetry);
        _listeners.Add(Telemetry);
    }

    /// <summary>The shortest batch interval allowed.</summary>
    public static TimeSpan MinBatchInterval { get; } = TimeSpan.FromMilliseconds(10);

    /// <summary>The longest batch interval allowed.</summary>
    public static TimeSpan MaxBatchInterval { get; } = TimeSpan.FromHours(24);

    /// <summary>
    /// The batch interval in force: the one given at construction until a change applies at a
    /// batch boundary (<see cref="SetBatchIntervalAsync"/>, adaptive batching), or the one a
    /// restart resumed with.
    /// </summary>
    public TimeSpan BatchInterval => Intervals.Current;

    /// <summary>The context's settings.</summary>
    public StreamingOptions Options { get; }

    /// <summary>
    /// The job's name: <see cref="StreamingOptions.JobName"/>, or the entry assembly's name when
    /// that is null. The <c>job</c> tag of every metric and span, and the name in log messages.
    /// </summary>
    public string JobName => Telemetry.Job;

    /// <summary>Where the context is in its life.</summary>
    public StreamingContextState State { get; private set; } = StreamingContextState.Initialized;

    /// <summary>Registers a listener for batch and source events. Listeners may be added at any time.</summary>
    /// <param name="listener">The listener.</param>
    /// <exception cref="ArgumentNullException"><paramref name="listener"/> is null.</exception>
    public void AddListener(IStreamingListener listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        _listeners.Add(listener);
    }

    /// <summary>
    /// Describes the plan of every output operation, as <see cref="DStreamQueryable.Explain{T}"/>
    /// does for one stream: the logical plan with the physical choice beside each operator and
    /// the shuffle boundaries, stages numbered per output. A subtree the outputs share is
    /// planned and compiled once, and shown under each.
    /// </summary>
    /// <returns>One plan tree per output operation, headed by its name, number and delivery guarantee.</returns>
    public string Explain()
    {
        lock (_gate)
        {
            return new PlanBuilder().Explain(_outputs);
        }
    }

    /// <summary>
    /// Compiles every output operation's query into its per-batch plan, starts the sources and
    /// the scheduler. The first batch time is the first multiple of the batch interval after now.
    /// </summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="InvalidOperationException">
    /// The context was started before, has no output operation, an output asks for a delivery
    /// guarantee its source or sink cannot give, or a transactional sink could not return its
    /// last commit within <see cref="StreamingOptions.SinkCommitReadTimeout"/> (the message names the output).
    /// </exception>
    /// <exception cref="InvalidDataException">
    /// A context from <see cref="GetOrCreate(ICheckpointStore, Func{StreamingContext}, CheckpointOptions?)"/>: the checkpoint is intact but does not fit the
    /// query's sources or operators (the state is restored here, at start).
    /// </exception>
    /// <exception cref="InvalidOperationException">
    /// With checkpointing: a record, key or state the query keeps across batches is of a type
    /// that cannot round-trip through a checkpoint (declared as <c>object</c> or an interface, a
    /// delegate, a class with subclasses...); the message names the type, the operator and why.
    /// </exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        BatchScheduler scheduler;
        ExecutionPlan plan;
        lock (_gate)
        {
            switch (State)
            {
                case StreamingContextState.Active:
                case StreamingContextState.Initialized when _starting:
                    throw new InvalidOperationException("The StreamingContext has already been started.");
                case StreamingContextState.Stopped:
                    throw new InvalidOperationException("A stopped StreamingContext cannot be restarted; create a new one.");
            }

            if (_outputs.Count == 0)
            {
                throw new InvalidOperationException("No output operation is defined: add Print, ForEachBatch, SaveAsTextFiles or WriteTo before starting.");
            }

            plan = new PlanBuilder().Build(_outputs);
            DeliveryCheck.Validate(plan);
            if (_checkpoints is not null)
            {
                CheckpointTypeCheck.Validate(plan, _inputs.Select(i => i.Source));
            }

            var checkpointing = _checkpoints is null ? null : new BatchCheckpointing(_checkpoints, QueryFingerprint.Compute(_outputs), QuerySchema.Of(plan, _inputs.Select(i => i.Source)), _recovered, _upgrade, Intervals);
            scheduler = new BatchScheduler(this, _inputs.Select(i => i.Source).ToArray(), plan, _listeners, checkpointing);

            // Inputs and outputs stay closed while the sources start outside the lock.
            _starting = true;
        }

        try
        {
            await scheduler.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Only a scheduler that started is kept: after a failed start the context stays
            // initialized, with nothing for AwaitTerminationAsync to wait on.
            lock (_gate)
            {
                _starting = false;
            }

            throw;
        }

        var sources = _inputs.Select(i => i.Source).ToArray();
        Telemetry.Attach(sources, StateIds.Distinct(plan.Outputs.SelectMany(o => ExecutionPlan.Nodes(o.Root)).Distinct(ReferenceEqualityComparer.Instance).OfType<IStatefulOperator>()), () => BatchInterval, () => Time.UnixTicks());
        Telemetry.Started(BatchInterval, sources.Length, _outputs.Count);
        if (_recovered is { } recovered)
        {
            Telemetry.Recovered(recovered.Sequence, recovered.LastCompletedBatch, recovered.Pending.Count);
        }

        _ = scheduler.Termination.ContinueWith(t => Telemetry.Terminated(t.Exception?.InnerException), TaskScheduler.Default);

        bool stoppedMeanwhile;
        lock (_gate)
        {
            _starting = false;
            _scheduler = scheduler;
            stoppedMeanwhile = State == StreamingContextState.Stopped;
            if (!stoppedMeanwhile)
            {
                RateController? rates = null;
                if (Options.BackPressure)
                {
                    rates = new RateController(BatchInterval, _inputs.Select(i => i.Source).OfType<IRateControlledSource>().ToArray());
                    _listeners.Add(rates);
                }

                if (Options.AdaptiveInterval is { } adaptive)
                {
                    // After the rate controller, whose view of the batch (producers held back) it reads.
                    _listeners.Add(new AdaptiveIntervalController(adaptive, Intervals, Intervals.WindowPeriod, () => rates?.HeldBack ?? false, Options.MaxQueuedBatches));
                }

                State = StreamingContextState.Active;
            }
        }

        if (stoppedMeanwhile)
        {
            // StopAsync ran while the sources were starting: it found no scheduler to stop.
            await scheduler.StopAsync(graceful: false).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Changes the batch interval of a running context at the next batch boundary: the batch being
    /// cut keeps the interval in force, and the next one ends at the first multiple of
    /// <paramref name="interval"/> after that boundary (it may hold less than an interval), so
    /// batch times stay multiples of the interval in force and strictly increasing.
    /// </summary>
    /// <param name="interval">The new interval: from 10 milliseconds to 24 hours, and a divisor of every window's length and slide.</param>
    /// <returns>
    /// Completes, with the first batch time under the new interval, once the change applied; a
    /// later call before that boundary replaces the change (both complete then). Cancelled if the
    /// context stops first.
    /// </returns>
    /// <remarks>
    /// <para>Windows and slides stay in time units: a window's length and slide must be multiples
    /// of every interval in force while it runs, so that each slide time and window start is a
    /// batch boundary; an interval that would misalign a window is refused (the message names the
    /// window and the interval). Window state is kept by batch time, so batches of different
    /// lengths mix in one window. Event-time watermarks are in event time and unaffected; back
    /// pressure's rate is per second, each batch weighed with its own interval
    /// (<see cref="BatchInfo.Interval"/>).</para>
    /// <para>Checkpointed: each pending batch records the interval it was cut under, and a restart
    /// resumes with the interval in force when the checkpoint was written, after every batch time
    /// the checkpoint or a sink knows; unless the context is created with another interval than
    /// the run that wrote it, which then applies.</para>
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="interval"/> is outside the allowed range.</exception>
    /// <exception cref="ArgumentException"><paramref name="interval"/> does not divide a window's length and slide.</exception>
    /// <exception cref="InvalidOperationException">The context is not running, or adaptive batching (<see cref="StreamingOptions.AdaptiveInterval"/>) chooses the interval.</exception>
    public Task<BatchTime> SetBatchIntervalAsync(TimeSpan interval)
    {
        if (interval < MinBatchInterval || interval > MaxBatchInterval)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, $"The batch interval must be between {MinBatchInterval} and {MaxBatchInterval}.");
        }

        if (Options.AdaptiveInterval is not null)
        {
            throw new InvalidOperationException($"Adaptive batching ({nameof(StreamingOptions)}.{nameof(StreamingOptions.AdaptiveInterval)}) chooses this context's batch interval.");
        }

        lock (_gate)
        {
            if (State != StreamingContextState.Active)
            {
                throw new InvalidOperationException($"The batch interval changes only while the context runs (it is {State.ToString().ToLowerInvariant()}); before the start, pass it to the constructor.");
            }

            return Intervals.Request(interval);
        }
    }

    /// <summary>Stops the context. Stopping a context that never started, or twice, does nothing more.</summary>
    /// <param name="graceful">
    /// True to stop the sources and finish processing every record already received (Spark's
    /// graceful stop); false to cancel the batch in progress and drop the queued ones.
    /// </param>
    /// <remarks>
    /// <para>Returns within a bounded time whatever the sources, sinks or servers do: a graceful
    /// stop that has not drained within <see cref="StreamingOptions.GracefulStopTimeout"/> turns
    /// abrupt; an abrupt stop stops waiting for external calls at once, and abandons user code
    /// that ignores its cancellation after <see cref="StreamingOptions.StopTimeout"/> (then
    /// <see cref="AwaitTerminationAsync"/> throws a <see cref="BatchFailedException"/> and the
    /// abandoned batch writes no checkpoint). Queued batches an abrupt stop drops are not lost
    /// with checkpointing: a restart replays those a checkpoint holds and seals the others'
    /// records again from the checkpointed positions.</para>
    /// <para>Called from an output operation or a listener, it requests the stop and returns at once
    /// (waiting would deadlock on the batch that called it); the context stops once that batch
    /// returns, and <see cref="AwaitTerminationAsync"/> completes then.</para>
    /// </remarks>
    public async Task StopAsync(bool graceful = true)
    {
        BatchScheduler? scheduler;
        lock (_gate)
        {
            scheduler = _scheduler;
            State = StreamingContextState.Stopped;
        }

        if (scheduler is not null)
        {
            Telemetry.Stopping(graceful);
            await scheduler.StopAsync(graceful).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Completes when the context stops. Throws the <see cref="BatchFailedException"/> that stopped
    /// it, if a failed batch did.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (the context keeps running).</param>
    /// <exception cref="InvalidOperationException">The context was never started.</exception>
    /// <exception cref="BatchFailedException">A failed batch stopped the context.</exception>
    public Task AwaitTerminationAsync(CancellationToken cancellationToken = default)
    {
        var scheduler = _scheduler ?? throw new InvalidOperationException("The StreamingContext has not been started.");
        return scheduler.Termination.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Stops the context abruptly if it is running: the batch in progress is cancelled and queued
    /// batches are dropped. Call <see cref="StopAsync"/> with <c>graceful: true</c> first to finish them.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (State == StreamingContextState.Active)
        {
            await StopAsync(graceful: false).ConfigureAwait(false);
        }
    }

    internal TimeProvider Time => Options.TimeProvider;

    /// <summary>The interval in force and the change waiting for the next boundary.</summary>
    internal BatchIntervalSchedule Intervals { get; }

    /// <summary>The context's logging, metrics and traces.</summary>
    internal JobTelemetry Telemetry { get; }

    /// <summary>
    /// Adds a source written on the connector SDK (docs/connectors.md) as an input of the
    /// context; connector packages call it from their own extension methods, as
    /// <c>RedisStreams</c> does.
    /// </summary>
    /// <typeparam name="T">The type of the records.</typeparam>
    /// <param name="source">The source; the context starts, seals and stops it.</param>
    /// <returns>The stream of the source's records, one batch per interval.</returns>
    /// <remarks>
    /// Across batches the context keeps, and checkpoints, only what the source itself writes:
    /// an <see cref="IOffsetRangeSource"/>'s position and pending ranges. A source that is not
    /// one is not replayable, so outputs on it get at most once after a crash.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The context has already started.</exception>
    public IDStream<T> AddInput<T>(IBatchSource<T> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        lock (_gate)
        {
            EnsureNotStarted("add a source");
            var input = new InputDStream<T>(this, _inputs.Count, source);
            _inputs.Add(input);
            return input;
        }
    }

    internal void AddOutput(OutputOperation output)
    {
        lock (_gate)
        {
            EnsureNotStarted("add an output operation");
            output.Index = _outputs.Count + 1;
            output.Id = Query.OperatorNames.OfOutput(output.Query) ?? output.Description;
            if (_outputs.Find(o => o.Id == output.Id) is { } other)
            {
                throw new InvalidOperationException($"Two output operations are named \"{output.Id}\" ({other.Description} and {output.Description}): an output's name is its identity in checkpoints and sinks' commits; give one of them another with .Named(...).");
            }

            _outputs.Add(output);
        }
    }

    private void EnsureNotStarted(string what)
    {
        if (State != StreamingContextState.Initialized || _starting)
        {
            throw new InvalidOperationException($"Cannot {what}: the StreamingContext has already been {(State == StreamingContextState.Stopped ? "stopped" : "started")}.");
        }
    }
}

/// <summary>The stages of a <see cref="StreamingContext"/>'s life.</summary>
public enum StreamingContextState
{
    /// <summary>Created; inputs and outputs may be added.</summary>
    Initialized,

    /// <summary>Started; batches are being cut and processed.</summary>
    Active,

    /// <summary>Stopped; it cannot be started again.</summary>
    Stopped,
}
