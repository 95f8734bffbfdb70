using System.Data.Common;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.GrainDirectory;
using Orleans.Metadata;
using Orleans.Placement;
using Orleans.Runtime;
using StreamLinq.Checkpointing;
using StreamLinq.Distributed;

namespace StreamLinq.Orleans;

/// <summary>
/// The driver of one job (key: the job's name). It owns the clock: a grain timer wakes it every
/// interval and, on the job's <see cref="StreamingOptions.TimeProvider"/>, it runs every batch
/// that is due, in order, batch times consecutive. Per batch it cuts one map task per source
/// partition (offsets only), writes its checkpoint record (so the cut is durable before anything
/// runs), waits for the executors (which push their records to the reducers themselves), orders
/// every reducer to reduce and output, then acknowledges the sources.
/// </summary>
/// <remarks>
/// Failures: a batch whose task failed for a reason a retry may get past (a silo died, a
/// timeout, I/O) is tried again with backoff, up to <see cref="StreamJobOptions.MaxBatchAttempts"/>;
/// a reducer that answers "behind" (a new activation, or a new driver's epoch) is restored from
/// the reducers' last state and the batches after it are replayed into it. User code that throws
/// stops the job, reported in its status. A driver activated again (by
/// <see cref="IStreamJob.StartAsync"/> or the failover probe, <see cref="IJobDriver.KeepRunningAsync"/>)
/// claims the next epoch in the checkpoint store (only one of drivers racing gets it; the others
/// stop) and goes on from the newest checkpoint whose parts are all written.
/// Placed by the hash of the job's name over the live silos, so the drivers of many jobs spread.
/// </remarks>
[HashBasedPlacement]
[GrainDirectory(DriverDirectoryResolver.Name)]
internal sealed partial class StreamJobGrain(StreamJobRegistry registry, IServiceProvider services) : Grain, IStreamJob, IJobDriver
{
    private const int RetainedRecords = 3;
    private const double PollMilliseconds = 10;
    private const int KeptFailures = 100;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly ILogger _logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("StreamLinq.Orleans");
    private readonly Dictionary<string, long> _recordsPerSilo = new(StringComparer.Ordinal);
    private readonly List<string> _failures = [];

    // The batches since the reducers' last state (the newest possibly in flight): what a restored
    // reducer has replayed into it, and what the driver's record keeps.
    private readonly List<(BatchCut Cut, long? StateSequence)> _cuts = [];
    private readonly Queue<(long Record, long? State)> _written = new();
    private DistributedPlan? _plan;
    private PlacementRebalancer? _rebalancer;
    private IGrainTimer? _timer;
    private CancellationTokenSource? _stopping;
    private BatchTime _next;
    private long _epoch;
    private long _sequence;
    private BatchTime? _completed;
    private long? _stateSequence;
    private BatchTime? _stateTime;
    private long _batchesDone;
    private long _batchRetries;
    private long _reducerRecoveries;
    private long _speculativeTasks;
    private bool _resumeChecked;
    private bool _fenced;

    private string Job => this.GetPrimaryKeyString();

    private StreamJobOptions Options => registry.Options(Job);

    internal static string ReducerKey(string job, int partition) => $"{job}/{partition}";

    internal static string ExecutorKey(string job, int input, string partition) => $"{job}/{input}/{partition}";

    /// <summary>A second executor of the partition, for speculative copies: another grain, so it runs beside a straggling first.</summary>
    internal static string SpeculativeExecutorKey(string job, int input, string partition) => $"{ExecutorKey(job, input, partition)}/speculative";

    public Task StartAsync()
    {
        _resumeChecked = true;
        return _timer is null ? StartFromAsync(null) : Task.CompletedTask;
    }

    public async Task KeepRunningAsync()
    {
        if (_timer is not null || _resumeChecked || _fenced)
        {
            return;
        }

        var store = await ReadStoreAsync();
        _resumeChecked = true;
        if (store.Newest is { Checkpoint.Running: true })
        {
            await StartFromAsync(store);
        }
    }

    public async Task StopAsync()
    {
        _resumeChecked = true;
        if (_timer is null)
        {
            return;
        }

        await HaltAsync();
        await WriteRecordAsync(running: false);
    }

    public Task<StreamJobStatus> GetStatusAsync() => Task.FromResult(new StreamJobStatus
    {
        IsRunning = _timer is not null,
        BatchesDone = _batchesDone,
        LastBatchTime = _completed?.ToDateTimeOffset(),
        RecordsPerSilo = new Dictionary<string, long>(_recordsPerSilo),
        Failures = _failures.ToArray(),
        Epoch = _epoch,
        BatchRetries = _batchRetries,
        ReducerRecoveries = _reducerRecoveries,
        SpeculativeTasks = _speculativeTasks,
        DriverSilo = RuntimeIdentity,
        Rebalances = _rebalancer?.Moves ?? 0,
    });

    public Task<string> ExplainAsync()
    {
        _plan ??= registry.Build(Job, services);
        return Task.FromResult(_plan.Explain());
    }

    private async Task StartFromAsync(StoreView? read)
    {
        var options = Options;
        var plan = _plan ??= registry.Build(Job, services);
        var clock = options.Streaming.TimeProvider;
        var interval = plan.BatchInterval;
        var store = read ?? await ReadStoreAsync();
        var newest = store.Newest;
        _cuts.Clear();
        _epoch = store.MaxEpoch + 1;
        if (newest is { } found)
        {
            var checkpoint = found.Checkpoint;
            plan.RestoreSourcePositions(checkpoint.Positions);
            _sequence = found.Sequence;
            _completed = checkpoint.Completed;
            _stateSequence = checkpoint.StateSequence;
            _stateTime = checkpoint.StateTime;
            _cuts.AddRange(checkpoint.Cuts.Select(c => (plan.RestoreCut(c.Time, c.Offsets), c.StateSequence)));
        }

        // The epoch is this driver's alone before it writes or orders anything: of drivers that
        // read the same store at once, one claims it and the others stop.
        await ClaimEpochAsync(store.MaxEpoch);
        await WriteRecordAsync(running: true);
        LogDriverStarted(_logger, Job, RuntimeIdentity, _epoch, _sequence);
        if (newest is not null)
        {
            await SweepAsync(keep: _sequence);
        }

        _stopping = new CancellationTokenSource();
        await plan.StartSourcesAsync((source, error) => Report($"{source}: {error.Message}"), _stopping.Token, CancellationToken.None);

        // A batch the checkpoint holds in flight runs again first, with its own cut; then the
        // batch after the last completed one; otherwise the first boundary after now, as in one process.
        var now = clock.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.Ticks;
        _next = _cuts.Count > 0 && _cuts[^1].Cut.Time > (_completed ?? default) ? _cuts[^1].Cut.Time
            : _completed is { } done ? done + interval
            : new BatchTime((now / interval.Ticks + 1) * interval.Ticks);

        // On the system clock the timer wakes at each boundary; another clock (a test's fake
        // one) moves on its own, so the driver looks at it often instead.
        var system = clock == TimeProvider.System;
        var period = system ? interval : TimeSpan.FromMilliseconds(Math.Min(interval.TotalMilliseconds, PollMilliseconds));
        var due = system ? TimeSpan.FromTicks(Math.Max(0, _next.Ticks - now)) : TimeSpan.Zero;
        _timer = this.RegisterGrainTimer(RunDueBatchesAsync, new GrainTimerCreationOptions(due, period) { KeepAlive = true });
    }

    private async Task HaltAsync()
    {
        _timer?.Dispose();
        _timer = null;
        if (_stopping is not null)
        {
            await _stopping.CancelAsync();
            _stopping.Dispose();
            _stopping = null;
            await _plan!.StopSourcesAsync();
        }
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
        var clock = Options.Streaming.TimeProvider;
        while (_timer is not null && !cancellationToken.IsCancellationRequested && _next.ToDateTimeOffset() <= clock.GetUtcNow())
        {
            try
            {
                await RunBatchAsync(_next);
            }
            catch (StaleEpochException error)
            {
                Report($"Batch {_next}: {error.Message}");
                await HaltAsync();
                Fence(error);
                return;
            }
            catch (Exception error)
            {
                Report($"Batch {_next}: {error.Message}");
                await HaltAsync();
                try
                {
                    await WriteRecordAsync(running: false);
                }
                catch (Exception store) when (IsTransient(store))
                {
                    Report($"The record of the stop could not be written ({store.Message}): the failover probe will start the job again.");
                }
                catch (StaleEpochException stale)
                {
                    Fence(stale);
                }

                return;
            }

            _next += _plan!.BatchInterval;
        }
    }

    private async Task RunBatchAsync(BatchTime time)
    {
        var options = Options;
        var recorded = true;
        if (_cuts.Count == 0 || _cuts[^1].Cut.Time != time)
        {
            // Rescaling happens here, at a boundary, with no batch in flight.
            if (options.CheckpointStore is not null && (_rebalancer ??= new PlacementRebalancer(services.GetRequiredService<IClusterMembershipService>(), services.GetRequiredService<IClusterManifestProvider>())).SiloJoined())
            {
                await _rebalancer.MoveAsync(GrainFactory, Job, _plan!);
            }

            var cut = _plan!.Cut(time);
            var stateDue = options.CheckpointStore is not null && _cuts.Count + 1 >= options.CheckpointEvery;

            // Without a store there is nothing to restore a reducer from, so nothing to replay.
            if (options.CheckpointStore is null)
            {
                _cuts.Clear();
            }

            _cuts.Add((cut, stateDue ? _sequence + 1 : null));
            recorded = false;
        }

        var (current, stateSequence) = _cuts[^1];
        var backoff = options.RetryBackoff;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (!recorded)
                {
                    // Durable before anything runs: a driver that takes over replays this very cut.
                    await WriteRecordAsync(running: true);
                    recorded = true;
                }

                await RunAttemptAsync(current, stateSequence);
                break;
            }
            catch (Exception error) when (attempt < options.MaxBatchAttempts && IsTransient(error))
            {
                _batchRetries++;
                Report($"Batch {time}, attempt {attempt}: {error.GetType().Name}: {error.Message}; trying again in {backoff.TotalMilliseconds:0} ms");
                await Task.Delay(backoff);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }

        _completed = time;
        if (stateSequence is not null)
        {
            _stateSequence = stateSequence;
            _stateTime = time;
            _cuts.Clear();
        }

        _plan!.Acknowledge(current);
        _batchesDone++;
    }

    private static bool IsTransient(Exception error) => error is
        TaskFailedException { IsTransient: true } or OrleansException or TimeoutException or IOException or DbException { IsTransient: true };

    private async Task RunAttemptAsync(BatchCut cut, long? stateSequence)
    {
        var done = await RunMapTasksAsync(cut, onlyPartition: -1);
        foreach (var task in done)
        {
            _recordsPerSilo[task.Silo] = _recordsPerSilo.GetValueOrDefault(task.Silo) + task.RecordsRead;
        }

        var previous = _completed;
        await Task.WhenAll(Enumerable.Range(0, _plan!.KeyPartitions).Select(async k =>
        {
            var order = Order(cut, k, Expected(done, k), previous, stateSequence, replay: false);
            var reducer = GrainFactory.GetGrain<IReducerGrain>(ReducerKey(Job, k));
            if ((await reducer.ReduceAsync(order)).Behind)
            {
                await RecoverAsync(k, cut.Time);
                if ((await reducer.ReduceAsync(order)).Behind)
                {
                    throw new TaskFailedException($"Key partition {k} is still behind batch {cut.Time} after its recovery") { IsTransient = true };
                }
            }
        }));
    }

    /// <summary>
    /// Restores key partition <paramref name="k"/> from the reducers' last state and replays into it,
    /// outputs off, every kept batch before <paramref name="before"/>: those every output already wrote.
    /// </summary>
    private async Task RecoverAsync(int k, BatchTime before)
    {
        var reducer = GrainFactory.GetGrain<IReducerGrain>(ReducerKey(Job, k));
        var replays = _cuts.Where(c => c.Cut.Time < before).Select(c => c.Cut).ToList();
        if (Options.CheckpointStore is null && _completed is not null)
        {
            Report($"Key partition {k} lost its state at batch {before}: the job has no checkpoint store to restore it from, so it goes on empty.");
        }

        var asOf = Options.CheckpointStore is null ? _completed : _stateTime;
        await reducer.RestoreAsync(new RestoreOrder(Job, k, _epoch, _stateSequence, asOf?.Ticks));

        // A job's first batch finds every reducer new: that is a start, not a recovery.
        if (_completed is not null)
        {
            _reducerRecoveries++;
        }

        var previous = asOf;
        foreach (var cut in replays)
        {
            var done = await RunMapTasksAsync(cut, onlyPartition: k);
            await reducer.ReduceAsync(Order(cut, k, Expected(done, k), previous, stateSequence: null, replay: true));
            previous = cut.Time;
        }
    }

    private ReduceOrder Order(BatchCut cut, int k, int[] expected, BatchTime? previous, long? stateSequence, bool replay) =>
        new(Job, cut.Time.Ticks, k, cut.Tasks.Count, _epoch, cut.Offsets, previous?.Ticks, expected, stateSequence, replay);

    private static int[] Expected(MapTaskDone[] done, int k) =>
        Enumerable.Range(0, done.Length).Where(i => done[i].SentTo.Contains(k)).ToArray();

    /// <summary>
    /// Runs the cut's map tasks; with speculation on, a task still running after the multiple of
    /// the median time of the half that finished is sent to a second executor, and the first copy
    /// to finish counts.
    /// </summary>
    private async Task<MapTaskDone[]> RunMapTasksAsync(BatchCut cut, int onlyPartition)
    {
        var options = Options;
        var count = cut.Tasks.Count;
        MapTaskMessage Message(int i) => new(Job, cut.Time.Ticks, i, cut.Tasks[i].InputId, cut.Tasks[i].Partition, cut.Tasks[i].Range, onlyPartition);
        var first = new Task<MapTaskDone>[count];
        for (var i = 0; i < count; i++)
        {
            first[i] = GrainFactory.GetGrain<IExecutorGrain>(ExecutorKey(Job, cut.Tasks[i].InputId, cut.Tasks[i].Partition)).RunAsync(Message(i));
        }

        if (options.SpeculationMultiplier is not { } multiplier || count < 2)
        {
            return await Task.WhenAll(first);
        }

        var copies = new Task<MapTaskDone>?[count];
        var results = new MapTaskDone?[count];
        var times = new List<double>();
        var watch = Stopwatch.StartNew();
        while (times.Count < count)
        {
            var running = Enumerable.Range(0, count).Where(i => results[i] is null).SelectMany(i => copies[i] is { } copy ? new Task[] { first[i], copy } : [first[i]]).ToList();
            await Task.WhenAny([.. running, Task.Delay(TimeSpan.FromMilliseconds(PollMilliseconds))]);
            for (var i = 0; i < count; i++)
            {
                if (results[i] is not null)
                {
                    continue;
                }

                var winner = first[i].IsCompletedSuccessfully ? first[i] : copies[i] is { IsCompletedSuccessfully: true } copy ? copy : null;
                if (winner is not null)
                {
                    results[i] = winner.Result;
                    times.Add(watch.Elapsed.TotalMilliseconds);
                }
                else if (first[i].IsFaulted && (copies[i] is null || copies[i]!.IsFaulted))
                {
                    Observe(copies[i]);
                    await first[i];
                }
            }

            if (times.Count * 2 >= count && times.Count < count)
            {
                var median = times.Order().ElementAt(times.Count / 2);
                var threshold = Math.Max(median * multiplier, options.SpeculationMinimum.TotalMilliseconds);
                for (var i = 0; i < count; i++)
                {
                    if (results[i] is null && copies[i] is null && watch.Elapsed.TotalMilliseconds > threshold)
                    {
                        copies[i] = GrainFactory.GetGrain<IExecutorGrain>(SpeculativeExecutorKey(Job, cut.Tasks[i].InputId, cut.Tasks[i].Partition)).RunAsync(Message(i));
                        _speculativeTasks++;
                    }
                }
            }
        }

        // The copies that lost may still fail (their silo died): nobody waits for them.
        for (var i = 0; i < count; i++)
        {
            Observe(first[i]);
            Observe(copies[i]);
        }

        return results.Select(r => r!).ToArray();
    }

    private static void Observe(Task? task) => task?.ContinueWith(t => _ = t.Exception, TaskScheduler.Default);

    /// <summary>
    /// The newest record whose reducer parts are all written (one that does not read is passed
    /// over for the one before it; null when there is none or the job has no store), and the
    /// highest epoch any claim or record holds.
    /// </summary>
    private async Task<StoreView> ReadStoreAsync()
    {
        if (Options.CheckpointStore is not { } store)
        {
            return new StoreView(null, 0);
        }

        var keyPartitions = Options.KeyPartitions;
        var listed = (await store.ListAsync(CancellationToken.None)).ToHashSet();
        (long Sequence, DriverCheckpoint Checkpoint)? newest = null;
        var maxEpoch = listed.Where(CheckpointLayout.IsClaim).DefaultIfEmpty().Max();

        // Every record is read, not only the newest valid one: a zombie driver may have written a
        // record of its older epoch after a newer driver's, and the next epoch must exceed both
        // (and the epochs of records written before drivers claimed their epochs).
        foreach (var record in listed.Where(CheckpointLayout.IsRecord).Select(CheckpointLayout.RecordOf).OrderDescending())
        {
            if (await store.ReadAsync(CheckpointLayout.Record(record), CancellationToken.None) is not { } bytes)
            {
                continue;
            }

            DriverCheckpoint checkpoint;
            try
            {
                checkpoint = DriverCheckpoint.Read(bytes);
            }
            catch (InvalidDataException error)
            {
                Report($"Checkpoint {record} of {store.Description} passed over: {error.Message}");
                continue;
            }

            maxEpoch = Math.Max(maxEpoch, checkpoint.Epoch);
            if (newest is not null)
            {
                continue;
            }

            if (checkpoint.StateSequence is not { } state || Enumerable.Range(0, keyPartitions).All(k => listed.Contains(CheckpointLayout.Part(state, k))))
            {
                newest = (record, checkpoint);
            }
            else
            {
                Report($"Checkpoint {record} of {store.Description} passed over: a reducer's state of checkpoint {state} is missing.");
            }
        }

        return new StoreView(newest, maxEpoch);
    }

    /// <summary>
    /// Claims <see cref="_epoch"/> (one more than <paramref name="read"/>, the highest the store
    /// held) by creating its claim, which only one driver can: a driver that finds it made by
    /// another read the store at the same moment and lost, so it stops before writing anything
    /// (<see cref="StaleEpochException"/>).
    /// </summary>
    private async Task ClaimEpochAsync(long read)
    {
        if (Options.CheckpointStore is not { } store)
        {
            return;
        }

        if (_epoch > CheckpointLayout.MaxEpoch)
        {
            throw new InvalidOperationException($"Job '{Job}' has used every epoch {store.Description} has room for ({CheckpointLayout.MaxEpoch}, one per driver start): start it under a new store.");
        }

        var claim = new JsonObject { ["epoch"] = _epoch, ["silo"] = RuntimeIdentity };
        if (await store.TryCreateAsync(CheckpointLayout.Claim(_epoch), JsonSerializer.SerializeToUtf8Bytes(claim), CancellationToken.None))
        {
            return;
        }

        var winner = await store.ReadAsync(CheckpointLayout.Claim(_epoch), CancellationToken.None) is { } bytes
            && JsonNode.Parse(bytes)?["silo"] is JsonValue silo ? $"the driver on {silo}" : "another driver";
        var lost = new StaleEpochException($"The driver of job '{Job}' on {RuntimeIdentity} read epoch {read} as the newest in {store.Description} and claimed epoch {_epoch}, but {winner} claimed epoch {_epoch} first: this driver stops without writing anything.");
        Report(lost.Message);
        Fence(lost);
        throw lost;
    }

    /// <summary>Writes the next record: the epoch, the reducers' last state, the kept cuts and the sources' positions.</summary>
    private async Task WriteRecordAsync(bool running)
    {
        if (Options.CheckpointStore is not { } store)
        {
            return;
        }

        await CheckEpochAsync(store);
        var bytes = DriverCheckpoint.Write(_plan!, _epoch, running, _completed, _stateSequence, _stateTime, _cuts.Select(c => new DriverCheckpoint.KeptCut(c.Cut.Time, c.Cut.Offsets, c.StateSequence)));
        await store.WriteAsync(CheckpointLayout.Record(++_sequence), bytes, CancellationToken.None);
        _written.Enqueue((_sequence, _stateSequence));
        if (_written.Count <= RetainedRecords)
        {
            return;
        }

        // Checked again before deleting: a driver that took over while this one wrote may
        // reference the parts this one would prune.
        await CheckEpochAsync(store);
        while (_written.Count > RetainedRecords)
        {
            var (old, state) = _written.Dequeue();
            await store.DeleteAsync(CheckpointLayout.Record(old), CancellationToken.None);
            if (state is { } parts && _written.All(w => w.State != parts))
            {
                await DeletePartsAsync(parts);
            }
        }
    }

    /// <summary>
    /// The store-side fence: throws <see cref="StaleEpochException"/> when the store holds a record
    /// after this driver's newest whose epoch is newer than this driver's (another driver took over,
    /// and this one must neither write nor delete anything more). A newer record of an older epoch
    /// (a zombie's) is stepped over: this driver's next record goes after it, so no driver ever
    /// replaces another's record.
    /// </summary>
    private async Task CheckEpochAsync(ICheckpointStore store)
    {
        var newer = (await store.ListAsync(CancellationToken.None))
            .Where(CheckpointLayout.IsRecord).Select(CheckpointLayout.RecordOf).Where(r => r > _sequence).OrderDescending().ToList();
        foreach (var record in newer)
        {
            if (await store.ReadAsync(CheckpointLayout.Record(record), CancellationToken.None) is not { } bytes)
            {
                continue;
            }

            long epoch;
            try
            {
                epoch = DriverCheckpoint.Read(bytes).Epoch;
            }
            catch (InvalidDataException)
            {
                continue;
            }

            if (epoch > _epoch)
            {
                throw new StaleEpochException($"Checkpoint {record} of {store.Description} was written by the driver of epoch {epoch}: this driver (epoch {_epoch}, on {RuntimeIdentity}) has been replaced.");
            }
        }

        if (newer.Count > 0)
        {
            _sequence = newer[0];
        }
    }

    /// <summary>A newer driver runs the job: this one is a zombie and must write nothing more.</summary>
    private void Fence(StaleEpochException error)
    {
        _fenced = true;
        LogDriverFenced(_logger, Job, RuntimeIdentity, _epoch, error.Message);
        DeactivateOnIdle();
    }

    /// <summary>What a driver that starts reads of the store.</summary>
    private readonly record struct StoreView((long Sequence, DriverCheckpoint Checkpoint)? Newest, long MaxEpoch);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "The driver of job '{Job}' runs on {Silo} under epoch {Epoch} (record {Sequence})")]
    private static partial void LogDriverStarted(ILogger logger, string job, string silo, long epoch, long sequence);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "The driver of job '{Job}' on {Silo} (epoch {Epoch}) stops: {Reason}")]
    private static partial void LogDriverFenced(ILogger logger, string job, string silo, long epoch, string reason);

    /// <summary>After a restart: deletes what earlier drivers left that neither the record restored from nor a newer one needs.</summary>
    private async Task SweepAsync(long keep)
    {
        var store = Options.CheckpointStore!;
        var needed = _stateSequence;
        foreach (var sequence in (await store.ListAsync(CancellationToken.None)).Where(s => !CheckpointLayout.IsClaim(s)))
        {
            var record = CheckpointLayout.RecordOf(sequence);
            var stale = CheckpointLayout.IsRecord(sequence) ? record < keep : record != needed && record < keep;
            if (stale)
            {
                await store.DeleteAsync(sequence, CancellationToken.None);
            }
        }
    }

    private async Task DeletePartsAsync(long state)
    {
        var store = Options.CheckpointStore!;
        for (var k = 0; k < Options.KeyPartitions; k++)
        {
            await store.DeleteAsync(CheckpointLayout.Part(state, k), CancellationToken.None);
        }
    }
}
