using Orleans;

namespace StreamLinq.Orleans;

/// <summary>The driver as the failover probe sees it (the same grain as <see cref="IStreamJob"/>, key: the job's name).</summary>
[Alias("StreamLinq.Orleans.IJobDriver")]
internal interface IJobDriver : IGrainWithStringKey
{
    /// <summary>
    /// Called by every silo's probe: a driver activated by the call (its silo died, or it was
    /// collected) reads the job's newest checkpoint once and resumes the job when it was running.
    /// </summary>
    [Alias("KeepRunningAsync")]
    Task KeepRunningAsync();
}
