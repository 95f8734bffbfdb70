using Orleans;

namespace StreamLinq.Orleans;

/// <summary>A cluster job's progress, as its driver knows it.</summary>
[GenerateSerializer]
[Alias("StreamLinq.Orleans.StreamJobStatus")]
public sealed record StreamJobStatus
{
    /// <summary>Whether the job is started and has not stopped or failed.</summary>
    [Id(0)]
    public bool IsRunning { get; init; }

    /// <summary>How many batches completed (every output ran on every key partition) since the driver activated.</summary>
    [Id(1)]
    public long BatchesDone { get; init; }

    /// <summary>The time of the last completed batch; null before the first.</summary>
    [Id(2)]
    public DateTimeOffset? LastBatchTime { get; init; }

    /// <summary>Records read by the executors of each silo (silo identity → records) since the driver activated.</summary>
    [Id(3)]
    public IReadOnlyDictionary<string, long> RecordsPerSilo { get; init; } = new Dictionary<string, long>();

    /// <summary>The failures that stopped the job (with the batch time and what threw) and the errors its sources recovered from, newest last; the newest 100.</summary>
    [Id(4)]
    public IReadOnlyList<string> Failures { get; init; } = [];

    /// <summary>The driver's epoch: one more than the epoch of the checkpoint it started from; commits carry it (<see cref="BatchCommit.Epoch"/>).</summary>
    [Id(5)]
    public long Epoch { get; init; }

    /// <summary>How many batch attempts failed for a reason a retry gets past (a silo died, a timeout) and were tried again, since the driver activated.</summary>
    [Id(6)]
    public long BatchRetries { get; init; }

    /// <summary>How many times a reducer was restored from the last checkpoint and had the batches after it replayed into it (a new activation, a new driver), since the driver activated.</summary>
    [Id(7)]
    public long ReducerRecoveries { get; init; }

    /// <summary>How many straggling map tasks were sent again to a second executor (<see cref="StreamJobOptions.SpeculationMultiplier"/>), since the driver activated.</summary>
    [Id(8)]
    public long SpeculativeTasks { get; init; }

    /// <summary>The silo the driver runs on (its Orleans address, <c>S127.0.0.1:port:generation</c>): where a failover starts when that silo dies.</summary>
    [Id(9)]
    public string DriverSilo { get; init; } = "";

    /// <summary>How many times the job's executors and reducers were placed again over the silos after a silo joined (rescaling, at a batch boundary), since the driver activated.</summary>
    [Id(10)]
    public long Rebalances { get; init; }
}
