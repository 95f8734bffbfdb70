using System.Threading.Channels;
using StreamLinq.Execution;
using StreamLinq.Monitoring;
using StreamLinq.Query;
using StreamLinq.Sources;

namespace StreamLinq.Scheduling;

/// <summary>
/// Spark's job generator and job scheduler in one: a generator task seals every input at each
/// batch time and queues the batch; a runner task processes the queued batches one at a time,
/// in order, running every output operation of the plan.
/// </summary>
internal sealed class BatchScheduler
{
    private readonly StreamingContext _context;
    private readonly IBatchSource[] _sources;
    private readonly ExecutionPlan _plan;
    private readonly ListenerBus _listeners;
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

    public BatchScheduler(StreamingContext context, IBatchSource[] sources, ExecutionPlan plan, ListenerBus listeners)
    {
        _context = context;
        _sources = sources;
        _plan = plan;
        _listeners = listeners;
    }

    /// <summary>Completes when the scheduler has stopped; faults with the failure that stopped it.</summary>
    public Task Termination => _termination.Task;

    public void Start()
    {
        var sourceContext = new SourceContext((source, error) => _listeners.Post(l => l.OnSourceError(source, error)), _abort.Token);
        var started = new List<IBatchSource>();
        try
        {
            foreach (var source in _sources)
            {
                source.Start(sourceContext);
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
        _lifetime = RunAsync();
    }

    public async Task StopAsync(bool graceful)
    {
        _graceful = graceful;
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
        await _lifetime.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var generator = Task.Run(GenerateAsync);
        var runner = Task.Run(ProcessAsync);
        await runner.ConfigureAwait(false);
        await _stopGenerating.CancelAsync().ConfigureAwait(false);
        await generator.ConfigureAwait(false);
        await StopSourcesAsync().ConfigureAwait(false);
        if (_failure is { } failure)
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
            if (_graceful && !_abort.IsCancellationRequested && _sources.Any(s => s.HasPending))
            {
                Submit(next);
            }

            _queue.Writer.TryComplete();
        }
    }

    private void Submit(BatchTime time)
    {
        var job = new BatchJob(time, _sources.Select(s => s.Seal(time)).ToArray(), _context.Clock.NowTicks);
        _listeners.Post(l => l.OnBatchSubmitted(new BatchInfo(time, job.SubmissionTime)));
        _queue.Writer.TryWrite(job);
    }

    private async Task ProcessAsync()
    {
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

            var execution = new BatchExecution(job.Time, inputs, _context.Options, cancellation);
            foreach (var (output, root) in _plan.Outputs)
            {
                if (execution.Evaluate(root) is not { } batch)
                {
                    continue; // the output's stream has no batch at this time, e.g. a window between slides
                }

                try
                {
                    await output.WriteAsync(batch, job.Time, cancellation).ConfigureAwait(false);
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

        var done = info with { ProcessingEndTime = clock.NowTicks, RecordCount = records, Failure = failure };
        Record(done);
        _listeners.Post(l => l.OnBatchCompleted(done));
        return failure;
    }

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
