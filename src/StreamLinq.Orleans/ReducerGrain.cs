using Orleans;
using Orleans.Placement;
using StreamLinq.Distributed;

namespace StreamLinq.Orleans;

/// <summary>
/// One key partition of a job: collects the batch's partials the executors push, then, on the
/// driver's order, merges them in task order and runs the rest of the plan and the outputs for
/// its slice. Its keyed state (windows, UpdateStateByKey, MapWithState...) lives in its plan's
/// nodes, across batches, while the activation lives; when the driver asks, it writes that state
/// to the job's checkpoint store itself, and it reads it back when the driver restores it.
/// </summary>
/// <remarks>
/// It takes a batch in only when it stands right after the batch before it, under the driver's
/// epoch: a new activation (its silo died) or a new driver answers "behind", and the driver
/// restores it and replays the batches since the checkpoint. A batch it already reduced in this
/// epoch is not taken in again (a repeated order writes nothing); an order of an older epoch (a
/// zombie driver's) is refused.
/// </remarks>
[HashBasedPlacement]
internal sealed class ReducerGrain(StreamJobRegistry registry, IServiceProvider services) : Grain, IReducerGrain
{
    private readonly Dictionary<long, Dictionary<int, byte[]>> _pending = [];
    private DistributedPlan? _plan;
    private long _epoch;
    private long? _lastReduced;
    private long? _stateWritten;

    public Task AddPartialAsync(long timeTicks, int taskIndex, byte[] records)
    {
        if (_lastReduced is { } last && timeTicks <= last)
        {
            return Task.CompletedTask;
        }

        if (!_pending.TryGetValue(timeTicks, out var partials))
        {
            _pending[timeTicks] = partials = [];
        }

        partials.TryAdd(taskIndex, records);
        return Task.CompletedTask;
    }

    public async Task<ReduceDone> ReduceAsync(ReduceOrder order)
    {
        if (order.Epoch < _epoch)
        {
            throw new StaleEpochException($"Key partition {order.KeyPartition} of job '{order.Job}' refused batch {new BatchTime(order.TimeTicks)} of epoch {order.Epoch}: it takes orders of epoch {_epoch}, a newer driver's.");
        }

        if (order.Epoch == _epoch && _lastReduced is { } last && order.TimeTicks <= last)
        {
            if (order.TimeTicks == last && order.StateSequence is { } sequence && _stateWritten != sequence)
            {
                await WriteStateAsync(order, sequence);
            }

            return new ReduceDone(0, Behind: false);
        }

        if (order.Epoch != _epoch || _lastReduced != order.Previous || _plan is null)
        {
            return new ReduceDone(0, Behind: true);
        }

        _pending.TryGetValue(order.TimeTicks, out var partials);
        if (order.ExpectedTasks?.FirstOrDefault(t => partials?.ContainsKey(t) != true, -1) is { } missing and >= 0)
        {
            throw new TaskFailedException($"Reduce task of key partition {order.KeyPartition} of batch {new BatchTime(order.TimeTicks)} lacks the partial of map task {missing} (its executor sent it to an activation that is gone)") { IsTransient = true };
        }

        var ordered = new byte[order.TaskCount][];
        for (var i = 0; i < ordered.Length; i++)
        {
            ordered[i] = partials?.GetValueOrDefault(i) ?? [];
        }

        long written = 0;
        try
        {
            var time = new BatchTime(order.TimeTicks);
            if (order.Replay)
            {
                await _plan.ReplayReduceAsync(time, order.KeyPartition, ordered, CancellationToken.None);
            }
            else
            {
                written = await _plan.RunReduceAsync(time, order.KeyPartition, order.Epoch, order.Offsets, ordered, CancellationToken.None);
            }
        }
        catch (Exception error)
        {
            // The plan's nodes may have taken part of the batch in: only a restore makes them whole again.
            _plan = null;
            throw TaskFailedException.From($"Reduce task of key partition {order.KeyPartition}", error);
        }

        _lastReduced = order.TimeTicks;
        foreach (var done in _pending.Keys.Where(t => t <= order.TimeTicks).ToList())
        {
            _pending.Remove(done);
        }

        if (order.StateSequence is { } part)
        {
            await WriteStateAsync(order, part);
        }

        return new ReduceDone(written, Behind: false);
    }

    public async Task RestoreAsync(RestoreOrder order)
    {
        var plan = registry.Build(order.Job, services);
        if (order.StateSequence is { } sequence)
        {
            var store = registry.Options(order.Job).CheckpointStore
                ?? throw new InvalidOperationException($"Job '{order.Job}' has no checkpoint store to restore key partition {order.KeyPartition} from.");
            var bytes = await store.ReadAsync(CheckpointLayout.Part(sequence, order.KeyPartition), CancellationToken.None)
                ?? throw new InvalidDataException($"Job '{order.Job}': the state of key partition {order.KeyPartition} for checkpoint {sequence} is gone from {store.Description}.");
            plan.RestoreReduceState(bytes, new BatchTime(order.AsOf!.Value));
        }

        _plan = plan;
        _epoch = order.Epoch;
        _lastReduced = order.AsOf;
        _stateWritten = order.StateSequence;
    }

    private async Task WriteStateAsync(ReduceOrder order, long sequence)
    {
        var store = registry.Options(order.Job).CheckpointStore!;
        try
        {
            await store.WriteAsync(CheckpointLayout.Part(sequence, order.KeyPartition), _plan!.WriteReduceState(new BatchTime(order.TimeTicks)), CancellationToken.None);
        }
        catch (Exception error)
        {
            throw TaskFailedException.From($"Writing the state of key partition {order.KeyPartition} to {store.Description}", error);
        }

        _stateWritten = sequence;
    }
}
