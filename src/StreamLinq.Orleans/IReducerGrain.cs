using Orleans;

namespace StreamLinq.Orleans;

/// <summary>The reducer of one key partition of one job (key: job/partition): it holds the partition's keyed state.</summary>
[Alias("StreamLinq.Orleans.IReducerGrain")]
internal interface IReducerGrain : IGrainWithStringKey
{
    /// <summary>Keeps one map task's records for this partition until the batch is reduced.</summary>
    [Alias("AddPartialAsync")]
    Task AddPartialAsync(long timeTicks, int taskIndex, byte[] records);

    /// <summary>Merges the batch's partials in task order, runs the rest of the plan and the outputs for this partition; returns the records written.</summary>
    [Alias("ReduceAsync")]
    Task<long> ReduceAsync(ReduceOrder order);
}
