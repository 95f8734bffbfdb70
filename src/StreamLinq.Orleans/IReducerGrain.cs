using Orleans;

namespace StreamLinq.Orleans;

/// <summary>The reducer of one key partition of one job (key: job/partition): it holds the partition's keyed state.</summary>
[Alias("StreamLinq.Orleans.IReducerGrain")]
internal interface IReducerGrain : IGrainWithStringKey
{
    /// <summary>Keeps one map task's records for this partition until the batch is reduced; the first copy of a task's partial is kept (a speculative copy sends the same bytes).</summary>
    [Alias("AddPartialAsync")]
    Task AddPartialAsync(long timeTicks, int taskIndex, byte[] records);

    /// <summary>Merges the batch's partials in task order, runs the rest of the plan and the outputs for this partition; or answers that it must be restored first.</summary>
    /// <exception cref="StaleEpochException">The order's epoch is older than one this reducer has taken orders under (a zombie driver's).</exception>
    [Alias("ReduceAsync")]
    Task<ReduceDone> ReduceAsync(ReduceOrder order);

    /// <summary>Drops the partition's state and reads it back from the job's checkpoint store.</summary>
    [Alias("RestoreAsync")]
    Task RestoreAsync(RestoreOrder order);
}
