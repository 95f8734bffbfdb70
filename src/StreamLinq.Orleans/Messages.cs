using Orleans;

namespace StreamLinq.Orleans;

/// <summary>A map task as it travels from the driver to an executor: offsets only.</summary>
[GenerateSerializer]
[Alias("StreamLinq.Orleans.MapTaskMessage")]
internal sealed record MapTaskMessage(
    [property: Id(0)] string Job,
    [property: Id(1)] long TimeTicks,
    [property: Id(2)] int TaskIndex,
    [property: Id(3)] int InputId,
    [property: Id(4)] string Partition,
    [property: Id(5)] string Range);

/// <summary>What an executor tells the driver once its task's partials are with the reducers.</summary>
[GenerateSerializer]
[Alias("StreamLinq.Orleans.MapTaskDone")]
internal sealed record MapTaskDone(
    [property: Id(0)] string Silo,
    [property: Id(1)] long RecordsRead,
    [property: Id(2)] long BytesShuffled);

/// <summary>The driver's order to a reducer: merge the batch's partials and run the outputs.</summary>
[GenerateSerializer]
[Alias("StreamLinq.Orleans.ReduceOrder")]
internal sealed record ReduceOrder(
    [property: Id(0)] string Job,
    [property: Id(1)] long TimeTicks,
    [property: Id(2)] int KeyPartition,
    [property: Id(3)] int TaskCount,
    [property: Id(4)] long Epoch,
    [property: Id(5)] string Offsets);
