using Orleans;
using Orleans.Placement;
using StreamLinq.Distributed;

namespace StreamLinq.Orleans;

/// <summary>
/// One key partition of a job: collects the batch's partials the executors push, then, on the
/// driver's order, merges them in task order and runs the rest of the plan and the outputs for
/// its slice. Its keyed state (windows, UpdateStateByKey, MapWithState...) lives in its plan's
/// nodes, across batches, while the activation lives; a batch it already reduced is not taken in
/// again (a repeated order writes nothing).
/// </summary>
[HashBasedPlacement]
internal sealed class ReducerGrain(StreamJobRegistry registry, IServiceProvider services) : Grain, IReducerGrain
{
    private readonly Dictionary<long, Dictionary<int, byte[]>> _pending = [];
    private DistributedPlan? _plan;
    private long? _lastReduced;

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

        partials[taskIndex] = records;
        return Task.CompletedTask;
    }

    public async Task<long> ReduceAsync(ReduceOrder order)
    {
        if (_lastReduced is { } last && order.TimeTicks <= last)
        {
            return 0;
        }

        _plan ??= registry.Build(order.Job, services);
        _pending.Remove(order.TimeTicks, out var partials);
        var ordered = new byte[order.TaskCount][];
        for (var i = 0; i < ordered.Length; i++)
        {
            ordered[i] = partials?.GetValueOrDefault(i) ?? [];
        }

        long written;
        try
        {
            written = await _plan.RunReduceAsync(new BatchTime(order.TimeTicks), order.KeyPartition, order.Epoch, order.Offsets, ordered, CancellationToken.None);
        }
        catch (Exception error)
        {
            throw TaskFailedException.From($"Reduce task of key partition {order.KeyPartition}", error);
        }

        _lastReduced = order.TimeTicks;
        return written;
    }
}
