using StreamLinq.Sources;

namespace StreamLinq.Distributed;

/// <summary>
/// The driver's cut of one batch (<see cref="DistributedPlan.Cut"/>): the batch time, one map task
/// per source partition, and the offsets every output's <see cref="BatchCommit"/> carries. It
/// holds the sources' sealed inputs so that the driver can acknowledge them once the batch is
/// committed (<see cref="DistributedPlan.Acknowledge"/>); only <see cref="Tasks"/> and
/// <see cref="Offsets"/> travel.
/// </summary>
public sealed class BatchCut
{
    internal BatchCut(BatchTime time, IReadOnlyList<MapTask> tasks, string offsets, IReadOnlyList<ISealedInput> inputs)
    {
        Time = time;
        Tasks = tasks;
        Offsets = offsets;
        Inputs = inputs;
    }

    /// <summary>The batch time.</summary>
    public BatchTime Time { get; }

    /// <summary>One task per input partition, in input order then partition order: the order reducers merge their outputs in.</summary>
    public IReadOnlyList<MapTask> Tasks { get; }

    /// <summary>The batch's offset ranges as JSON, one property per input id, as in one process (<see cref="BatchCommit.Offsets"/>).</summary>
    public string Offsets { get; }

    internal IReadOnlyList<ISealedInput> Inputs { get; }
}
