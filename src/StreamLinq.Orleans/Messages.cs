using Orleans;

namespace StreamLinq.Orleans;

/// <summary>
/// A map task as it travels from the driver to an executor: offsets only. <c>OnlyPartition</c>
/// is the key partition to send to when replaying into one recovering reducer; -1 for all.
/// </summary>
[GenerateSerializer]
[Alias("StreamLinq.Orleans.MapTaskMessage")]
internal sealed record MapTaskMessage(
    [property: Id(0)] string Job,
    [property: Id(1)] long TimeTicks,
    [property: Id(2)] int TaskIndex,
    [property: Id(3)] int InputId,
    [property: Id(4)] string Partition,
    [property: Id(5)] string Range,
    [property: Id(6)] int OnlyPartition = -1);

/// <summary>
/// What an executor tells the driver once its task's partials are with the reducers; <c>SentTo</c>
/// lists the key partitions it sent records to: each of their reducers must hold this task's
/// partial before it reduces.
/// </summary>
[GenerateSerializer]
[Alias("StreamLinq.Orleans.MapTaskDone")]
internal sealed record MapTaskDone(
    [property: Id(0)] string Silo,
    [property: Id(1)] long RecordsRead,
    [property: Id(2)] long BytesShuffled,
    [property: Id(3)] int[] SentTo);

/// <summary>
/// The driver's order to a reducer: merge the batch's partials and run the outputs (or, when
/// <c>Replay</c>, take the batch in for its state only). <c>Previous</c>: the batch the reducer
/// must have reduced last, in this epoch, to take this one in (null before the job's first).
/// <c>ExpectedTasks</c>: the map tasks that sent this partition records, without which it cannot
/// reduce. <c>StateSequence</c>: when set, the reducer writes its state after this batch as its
/// part of that checkpoint record.
/// </summary>
[GenerateSerializer]
[Alias("StreamLinq.Orleans.ReduceOrder")]
internal sealed record ReduceOrder(
    [property: Id(0)] string Job,
    [property: Id(1)] long TimeTicks,
    [property: Id(2)] int KeyPartition,
    [property: Id(3)] int TaskCount,
    [property: Id(4)] long Epoch,
    [property: Id(5)] string Offsets,
    [property: Id(6)] long? Previous = null,
    [property: Id(7)] int[]? ExpectedTasks = null,
    [property: Id(8)] long? StateSequence = null,
    [property: Id(9)] bool Replay = false);

/// <summary>A reducer's answer: the records written, or that it is not where the order needs it (a new activation, a new epoch) and must be restored first.</summary>
[GenerateSerializer]
[Alias("StreamLinq.Orleans.ReduceDone")]
internal sealed record ReduceDone(
    [property: Id(0)] long Written,
    [property: Id(1)] bool Behind);

/// <summary>
/// The driver's order to a reducer to drop its state and restore its part of the checkpoint of
/// <paramref name="StateSequence"/> (none: start empty), as of batch <paramref name="AsOf"/>, under <paramref name="Epoch"/>.
/// </summary>
[GenerateSerializer]
[Alias("StreamLinq.Orleans.RestoreOrder")]
internal sealed record RestoreOrder(
    [property: Id(0)] string Job,
    [property: Id(1)] int KeyPartition,
    [property: Id(2)] long Epoch,
    [property: Id(3)] long? StateSequence,
    [property: Id(4)] long? AsOf);
