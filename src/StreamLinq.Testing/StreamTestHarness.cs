using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace StreamLinq.Testing;

/// <summary>
/// Runs a user's streaming job on virtual time, batch by batch: the harness owns the clock,
/// builds the context from the user's factory, advances the clock one batch interval at a time
/// and waits until that batch has completed, so a test sees exact batches and no thread sleeps.
/// </summary>
/// <remarks>
/// <para>The factory receives the <see cref="StreamingOptions"/> to build its context with (the
/// harness's <see cref="Clock"/> set as their <see cref="StreamingOptions.TimeProvider"/>) and defines the job as production code does; inputs are
/// <see cref="TestInput{T}"/> (or any public source) and outputs any sink, e.g. a
/// <see cref="TestOutput{T}"/>. Batch times start at one interval after the Unix epoch:
/// batch <c>i</c> (from 1) runs at <c>i × interval</c>.</para>
/// <para>With <see cref="StreamTestHarnessOptions.Checkpointing"/> the context checkpoints into a
/// temporary directory, and <see cref="RestartAsync"/> stops it abruptly between batches (as a
/// crash would after the last completed batch's checkpoint), runs the factory again and recovers
/// from that checkpoint: operator state comes back only if the engine checkpointed it.</para>
/// <para>A batch the engine retries (<see cref="StreamingOptions.RestartStrategy"/>) is retried at
/// once: the harness moves the clock by each retry's delay. A failed batch is returned, not thrown
/// (<see cref="BatchInfo.Failure"/>); a batch that does
/// not complete within <see cref="StreamTestHarnessOptions.BatchTimeout"/> fails the wait with a
/// <see cref="TimeoutException"/> naming its time, so nothing hangs.</para>
/// </remarks>
public sealed class StreamTestHarness : IAsyncDisposable
{
    private readonly Func<StreamingOptions, StreamingContext> _factory;
    private readonly StreamTestHarnessOptions _options;
    private readonly VirtualClock _clock = new();
    private readonly List<BatchInfo> _batches = [];
    private readonly ConcurrentQueue<(string Source, Exception Error)> _sourceErrors = new();
    private readonly ConcurrentQueue<RecordsDropped> _dropped = new();
    private string? _checkpointDirectory;
    private Listener? _listener;
    private Task<TimeSpan>? _retry;
    private StreamingContext? _context;

    /// <summary>Creates a harness; <see cref="StartAsync"/> builds and starts the context.</summary>
    /// <param name="factory">Builds the user's context with the options given (keep their clock), and defines its job.</param>
    /// <param name="options">How the harness runs; defaults when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="factory"/> is null.</exception>
    public StreamTestHarness(Func<StreamingOptions, StreamingContext> factory, StreamTestHarnessOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _factory = factory;
        _options = options ?? new StreamTestHarnessOptions();
    }

    /// <summary>The running context; throws before <see cref="StartAsync"/>.</summary>
    public StreamingContext Context => _context ?? throw new InvalidOperationException("The harness has not started: call StartAsync first.");

    /// <summary>
    /// The clock the context runs on (<see cref="StreamingOptions.TimeProvider"/>): starts at the Unix
    /// epoch, moved by <see cref="RunBatchAsync"/>. A test may advance it itself, e.g. to let a time-out
    /// fire while a batch waits; batch times the clock passes are sealed as the engine seals them.
    /// </summary>
    public FakeTimeProvider Clock => _clock.Provider;

    /// <summary>
    /// The time of the batch the next <see cref="RunBatchAsync"/> runs: the first multiple of the
    /// interval in force after the last batch run (it follows a change of interval at run time).
    /// </summary>
    public BatchTime NextBatchTime { get; private set; }

    /// <summary>Every batch run so far, across restarts, in order.</summary>
    public IReadOnlyList<BatchInfo> Batches => _batches;

    /// <summary>How many times the context has been restarted.</summary>
    public int Restarts { get; private set; }

    /// <summary>Errors sources reported and recovered from (<see cref="IStreamingListener.OnSourceError"/>).</summary>
    public IReadOnlyCollection<(string Source, Exception Error)> SourceErrors => _sourceErrors;

    /// <summary>Input left out by sources (<see cref="IStreamingListener.OnRecordsDropped"/>).</summary>
    public IReadOnlyCollection<RecordsDropped> Dropped => _dropped;

    /// <summary>Builds the context from the factory (recovering from the checkpoint, if any) and starts it.</summary>
    /// <exception cref="InvalidOperationException">The harness is already started.</exception>
    public async Task StartAsync()
    {
        if (_context is not null)
        {
            throw new InvalidOperationException("The harness is already started.");
        }

        if (_options.Checkpointing && _checkpointDirectory is null)
        {
            _checkpointDirectory = Path.Combine(Path.GetTempPath(), "streamlinq-harness-" + Guid.NewGuid().ToString("N"));
        }

        var options = _clock.Apply(_options.StreamingOptions ?? new StreamingOptions());
        var context = _checkpointDirectory is { } directory
            ? StreamingContext.GetOrCreate(directory, () => _factory(options))
            : _factory(options);
        if (!_clock.IsUsedBy(context.Options))
        {
            await context.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException("The factory must build its context with the StreamingOptions it is given (their TimeProvider is the harness's clock).");
        }

        _listener = new Listener(this);
        _retry = null;
        context.AddListener(_listener);
        _context = context;
        await context.StartAsync().ConfigureAwait(false);
        NextBatchTime = BoundaryAfter(_clock.NowTicks, context.BatchInterval);
    }

    /// <summary>Advances the clock to the next batch time and waits until that batch has completed.</summary>
    /// <returns>The batch, with <see cref="BatchInfo.Failure"/> set when it failed.</returns>
    /// <exception cref="TimeoutException">The batch did not complete within <see cref="StreamTestHarnessOptions.BatchTimeout"/>.</exception>
    public async Task<BatchInfo> RunBatchAsync()
    {
        var context = Context;
        var time = NextBatchTime;
        var done = _listener!.Completion(time);
        NextBatchTime = BoundaryAfter(time.Ticks, context.BatchInterval);
        _clock.AdvanceTo(time.Ticks);
        BatchInfo info;
        try
        {
            info = await DriveRetriesAsync(done).WaitAsync(_options.BatchTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Batch {time} did not complete within {_options.BatchTimeout} (context state {context.State}).");
        }

        // The engine fixed the batch after this one when it cut this one, under the interval in
        // force then: a change asked for at run time (SetBatchIntervalAsync, adaptive batching)
        // moves the next time, which adding the old interval would miss.
        NextBatchTime = BoundaryAfter(time.Ticks, context.BatchInterval);
        _batches.Add(info);
        return info;
    }

    /// <summary>The first multiple of <paramref name="interval"/> after <paramref name="ticks"/>, as the engine cuts batches.</summary>
    private static BatchTime BoundaryAfter(long ticks, TimeSpan interval) =>
        new((Math.DivRem(ticks, interval.Ticks, out var rest) - (rest < 0 ? 1 : 0) + 1) * interval.Ticks);

    // A retry waits on the clock, which only the harness moves: each retry announced moves the
    // clock by its delay, so the retry runs at once (later batches due by then are sealed as the
    // engine would seal them, and their inputs are the records due by their times).
    private async Task<BatchInfo> DriveRetriesAsync(Task<BatchInfo> done)
    {
        while (true)
        {
            // One read outstanding across batches, so that no announced retry goes to a read nobody awaits.
            var retry = _retry ??= _listener!.NextRetryAsync();
            if (await Task.WhenAny(done, retry).ConfigureAwait(false) == done)
            {
                return await done.ConfigureAwait(false);
            }

            _retry = null;
            var delay = (await retry.ConfigureAwait(false)).Ticks;
            _clock.AdvanceTo(_clock.NowTicks + delay);

            // The announcement is delivered to listeners as the engine starts its delay, so the
            // delay's timer may be set on the clock just after the move above: until the retry
            // runs (or announces the next one), move the clock by the delay again each time the
            // engine has had a moment to set that timer.
            _retry = _listener!.NextRetryAsync();
            while (await Task.WhenAny(done, _retry, Task.Delay(RetryTimerGrace)).ConfigureAwait(false) is var first && first != done && first != _retry)
            {
                _clock.AdvanceTo(_clock.NowTicks + Math.Max(delay, 1));
            }
        }
    }

    /// <summary>How long, in real time, the engine gets to set a retry's timer before the harness moves the clock again.</summary>
    private static readonly TimeSpan RetryTimerGrace = TimeSpan.FromMilliseconds(50);

    /// <summary>Runs <paramref name="count"/> batches, stopping at the first that fails.</summary>
    /// <param name="count">How many batches; not negative.</param>
    /// <returns>The batches run, the failed one last.</returns>
    public async Task<IReadOnlyList<BatchInfo>> RunBatchesAsync(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var run = new List<BatchInfo>(count);
        for (var i = 0; i < count; i++)
        {
            var info = await RunBatchAsync().ConfigureAwait(false);
            run.Add(info);
            if (info.Failure is not null)
            {
                break;
            }
        }

        return run;
    }

    /// <summary>
    /// Crashes the context between batches and starts it again: an abrupt stop after the last
    /// completed batch (its checkpoint written), the factory run again, and recovery from the
    /// checkpoint. The clock keeps its time, so the next batch follows the last one.
    /// </summary>
    /// <exception cref="InvalidOperationException">Checkpointing is off (<see cref="StreamTestHarnessOptions.Checkpointing"/>).</exception>
    public async Task RestartAsync()
    {
        if (!_options.Checkpointing)
        {
            throw new InvalidOperationException("RestartAsync needs StreamTestHarnessOptions.Checkpointing: without a checkpoint there is nothing to restart from.");
        }

        var context = Context;
        await context.StopAsync(graceful: false).ConfigureAwait(false);
        await context.DisposeAsync().ConfigureAwait(false);
        _context = null;
        Restarts++;
        await StartAsync().ConfigureAwait(false);
    }

    /// <summary>Stops the context and deletes the temporary checkpoint directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_context is { } context)
        {
            _context = null;
            await context.DisposeAsync().ConfigureAwait(false);
        }

        if (_checkpointDirectory is { } directory && Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private sealed class Listener(StreamTestHarness harness) : IStreamingListener
    {
        private readonly ConcurrentDictionary<BatchTime, TaskCompletionSource<BatchInfo>> _completed = new();
        private readonly System.Threading.Channels.Channel<TimeSpan> _retries = System.Threading.Channels.Channel.CreateUnbounded<TimeSpan>();

        public Task<TimeSpan> NextRetryAsync() => _retries.Reader.ReadAsync().AsTask();

        public void OnBatchRetrying(BatchInfo batch, int attempt, TimeSpan delay) => _retries.Writer.TryWrite(delay);

        public Task<BatchInfo> Completion(BatchTime time) => Slot(time).Task;

        public void OnBatchCompleted(BatchInfo batch) => Slot(batch.Time).TrySetResult(batch);

        public void OnSourceError(string source, Exception error) => harness._sourceErrors.Enqueue((source, error));

        public void OnRecordsDropped(RecordsDropped dropped) => harness._dropped.Enqueue(dropped);

        private TaskCompletionSource<BatchInfo> Slot(BatchTime time) =>
            _completed.GetOrAdd(time, _ => new TaskCompletionSource<BatchInfo>(TaskCreationOptions.RunContinuationsAsynchronously));
    }
}
