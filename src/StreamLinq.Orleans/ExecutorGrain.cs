using Orleans;
using Orleans.Placement;
using StreamLinq.Distributed;

namespace StreamLinq.Orleans;

/// <summary>
/// Runs map tasks of one source partition: reads the range from the broker itself, runs the
/// narrow part of the plan and the partial aggregation above it where there is one (the same
/// compiled code as in one process) and pushes each key partition's bytes (records or one
/// partial per key) straight to its reducer, so records never pass through the driver. Holds
/// no state across batches: placed by the hash of its key over the silos, so partitions spread over them.
/// A task runs again wherever the driver sends it (a retry, a replay into one recovering reducer,
/// a speculative copy on a second executor of the partition): it reads the same range again.
/// </summary>
[HashBasedPlacement]
internal sealed class ExecutorGrain(StreamJobRegistry registry, IServiceProvider services) : Grain, IExecutorGrain
{
    private DistributedPlan? _plan;

    public async Task<MapTaskDone> RunAsync(MapTaskMessage task)
    {
        _plan ??= registry.Build(task.Job, services);
        var time = new BatchTime(task.TimeTicks);
        MapOutput output;
        try
        {
            output = await _plan.RunMapAsync(new MapTask(time, task.InputId, task.Partition, task.Range), CancellationToken.None);
        }
        catch (Exception error)
        {
            throw TaskFailedException.From($"Map task of input {task.InputId}, partition '{task.Partition}'", error);
        }

        var sends = new List<Task>();
        var sentTo = new List<int>();
        long bytes = 0;
        for (var k = 0; k < output.Partitions.Count; k++)
        {
            var records = output.Partitions[k];
            if (records.Length > 0 && (task.OnlyPartition < 0 || task.OnlyPartition == k))
            {
                bytes += records.Length;
                sentTo.Add(k);
                sends.Add(GrainFactory.GetGrain<IReducerGrain>(StreamJobGrain.ReducerKey(task.Job, k)).AddPartialAsync(task.TimeTicks, task.TaskIndex, records));
            }
        }

        await Task.WhenAll(sends);
        return new MapTaskDone(RuntimeIdentity, output.RecordsRead, bytes, [.. sentTo]);
    }
}
