using Orleans;

namespace StreamLinq.Orleans;

/// <summary>The executor of one source partition of one job (key: job/input/partition).</summary>
[Alias("StreamLinq.Orleans.IExecutorGrain")]
internal interface IExecutorGrain : IGrainWithStringKey
{
    /// <summary>Reads the task's range, runs the narrow part of the plan and sends each key partition's records to its reducer.</summary>
    [Alias("RunAsync")]
    Task<MapTaskDone> RunAsync(MapTaskMessage task);
}
