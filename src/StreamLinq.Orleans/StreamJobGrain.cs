using Orleans;
using Orleans.Runtime;
using StreamLinq.Distributed;

namespace StreamLinq.Orleans;

/// <summary>
/// The driver of one job (key: the job's name). It owns the clock: a grain timer wakes it every
/// interval and, on the job's <see cref="StreamingOptions.TimeProvider"/>, it runs every batch
/// that is due, in order, batch times consecutive. Per batch it cuts one map task per source
/// partition (offsets only), waits for the executors (which push their records to the reducers
/// themselves), orders every reducer to reduce and output, then checkpoints and acknowledges
/// the sources. A failed batch stops the job and is reported in its status.
/// </summary>
internal sealed class StreamJobGrain(StreamJobRegistry registry, IServiceProvider services) : Grain, IStreamJob
{
    private const int RetainedCheckpoints = 3;
    private const double PollMilliseconds = 10;
    private const int KeptFailures = 100;

    private readonly Dictionary<string, long> _recordsPerSilo = new(StringComparer.Ordinal);
    private readonly List<string> _failures = [];
    private DistributedPlan? _plan;
    private IGrainTimer? _timer;
    private CancellationTokenSource? _stopping;
    private BatchTime _next;
    private long _epoch;
    private long _sequence;
    private long _batchesDone;
    private BatchTime? _lastBatch;

    private string Job => this.GetPrimaryKeyString();

    internal static string ReducerKey(string job, int partition) => $"{job}/{partition}";

    internal static string ExecutorKey(string job, int input, string partition) => $"{job}/{input}/{partition}";

    public async Task StartAsync()
    {
        if (_timer is not null)
        {
            return;
        }

        var options = registry.Options(Job);
        var plan = _plan ??= registry.Build(Job, services);
        var clock = options.Streaming.TimeProvider;
        var interval = plan.BatchInterval;
        BatchTime? completed = null;
        long previousEpoch = 0;
        if (options.CheckpointStore is { } store)
        {
            var sequences = await store.ListAsync(CancellationToken.None);
            if (sequences.Count > 0)
            {
                _sequence = sequences.Max();
                var bytes = await store.ReadAsync(_sequence, CancellationToken.None)
                    ?? throw new InvalidDataException($"Job '{Job}': checkpoint {_sequence} of {store.Description} is listed but cannot be read.");
                (var last, previousEpoch) = plan.RestoreCheckpoint(bytes);
                completed = last;
            }
        }

        _epoch = previousEpoch + 1;
        _stopping = new CancellationTokenSource();
        await plan.StartSourcesAsync((source, error) => Report($"{source}: {error.Message}"), _stopping.Token, CancellationToken.None);

        // The first batch after a checkpoint follows the batch it completed; otherwise it is the
        // first boundary after now, as in one process.
        var now = clock.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.Ticks;
        _next = completed is { } done ? done + interval : new BatchTime((now / interval.Ticks + 1) * interval.Ticks);

        // On the system clock the timer wakes at each boundary; another clock (a test's fake
        // one) moves on its own, so the driver looks at it often instead.
        var system = clock == TimeProvider.System;
        var period = system ? interval : TimeSpan.FromMilliseconds(Math.Min(interval.TotalMilliseconds, PollMilliseconds));
        var due = system ? TimeSpan.FromTicks(Math.Max(0, _next.Ticks - now)) : TimeSpan.Zero;
        _timer = this.RegisterGrainTimer(RunDueBatchesAsync, new GrainTimerCreationOptions(due, period) { KeepAlive = true });
    }

    public async Task StopAsync()
    {
        if (_timer is null)
        {
            return;
        }

        _timer.Dispose();
        _timer = null;
        await _stopping!.CancelAsync();
        _stopping.Dispose();
        _stopping = null;
        await _plan!.StopSourcesAsync();
    }

    public Task<StreamJobStatus> GetStatusAsync() => Task.FromResult(new StreamJobStatus
    {
        IsRunning = _timer is not null,
        BatchesDone = _batchesDone,
        LastBatchTime = _lastBatch?.ToDateTimeOffset(),
        RecordsPerSilo = new Dictionary<string, long>(_recordsPerSilo),
        Failures = _failures.ToArray(),
        Epoch = _epoch,
        DriverSilo = RuntimeIdentity,
    });

    public Task<string> ExplainAsync()
    {
        _plan ??= registry.Build(Job, services);
        return Task.FromResult(_plan.Explain());
    }

    /// <summary>Keeps the newest failures only: a source that fails every second must not grow the status without bound.</summary>
    private void Report(string failure)
    {
        if (_failures.Count == KeptFailures)
        {
            _failures.RemoveAt(0);
        }

        _failures.Add(failure);
    }

    private async Task RunDueBatchesAsync(CancellationToken cancellationToken)
    {
        var clock = registry.Options(Job).Streaming.TimeProvider;
        while (_timer is not null && !cancellationToken.IsCancellationRequested && _next.ToDateTimeOffset() <= clock.GetUtcNow())
        {
            try
            {
                await RunBatchAsync(_next);
            }
            catch (Exception error)
            {
                Report($"Batch {_next}: {error.Message}");
                await StopAsync();
                return;
            }

            _next += _plan!.BatchInterval;
        }
    }

    private async Task RunBatchAsync(BatchTime time)
    {
        var plan = _plan!;
        var cut = plan.Cut(time);
        var done = await Task.WhenAll(cut.Tasks.Select((task, index) =>
            GrainFactory.GetGrain<IExecutorGrain>(ExecutorKey(Job, task.InputId, task.Partition))
                .RunAsync(new MapTaskMessage(Job, time.Ticks, index, task.InputId, task.Partition, task.Range))));
        await Task.WhenAll(Enumerable.Range(0, plan.KeyPartitions).Select(k =>
            GrainFactory.GetGrain<IReducerGrain>(ReducerKey(Job, k))
                .ReduceAsync(new ReduceOrder(Job, time.Ticks, k, cut.Tasks.Count, _epoch, cut.Offsets))));

        if (registry.Options(Job).CheckpointStore is { } store)
        {
            await store.WriteAsync(++_sequence, plan.WriteCheckpoint(time, _epoch), CancellationToken.None);
            if (_sequence > RetainedCheckpoints)
            {
                await store.DeleteAsync(_sequence - RetainedCheckpoints, CancellationToken.None);
            }
        }

        plan.Acknowledge(cut);
        foreach (var task in done)
        {
            _recordsPerSilo[task.Silo] = _recordsPerSilo.GetValueOrDefault(task.Silo) + task.RecordsRead;
        }

        _batchesDone++;
        _lastBatch = time;
    }
}
