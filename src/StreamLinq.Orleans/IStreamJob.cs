using Orleans;
using Orleans.Concurrency;

namespace StreamLinq.Orleans;

/// <summary>
/// A cluster job, by name: its driver grain, which owns the clock, cuts each batch into one map
/// task per source partition, dispatches them to executor grains, has reducer grains merge and
/// output the results, and checkpoints. Get one with <see cref="StreamJobGrainFactoryExtensions.GetStreamJob"/>.
/// </summary>
[Alias("StreamLinq.Orleans.IStreamJob")]
public interface IStreamJob : IGrainWithStringKey
{
    /// <summary>
    /// Starts the job: restores the newest checkpoint from the job's store (if any), starts its
    /// sources and cuts a batch at every multiple of the interval. Starting a running job does nothing.
    /// </summary>
    /// <returns>A task that completes when the job runs.</returns>
    /// <exception cref="KeyNotFoundException">No job of this name is registered on the silo.</exception>
    [Alias("StartAsync")]
    Task StartAsync();

    /// <summary>Stops the job after the batch in progress; its sources stop. Stopping a stopped job does nothing.</summary>
    /// <returns>A task that completes when the job has stopped.</returns>
    [Alias("StopAsync")]
    Task StopAsync();

    /// <summary>Where the job is: batches done, the last batch time, records per silo, failures. Answers while a batch runs.</summary>
    /// <returns>The status.</returns>
    [AlwaysInterleave]
    [Alias("GetStatusAsync")]
    Task<StreamJobStatus> GetStatusAsync();

    /// <summary>The job's stages: per output, the map stage over each source's partitions, the shuffle, the reduce stage and its partitions.</summary>
    /// <returns>The plan's text.</returns>
    /// <exception cref="KeyNotFoundException">No job of this name is registered on the silo.</exception>
    [AlwaysInterleave]
    [Alias("ExplainAsync")]
    Task<string> ExplainAsync();
}
