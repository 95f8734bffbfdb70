namespace StreamLinq.Distributed;

/// <summary>
/// One map task of a batch: read one partition's offset range of one input from its broker, run
/// the narrow part of every output's plan over it and split the result by key partition
/// (<see cref="DistributedPlan.RunMapAsync"/>). A task holds offsets, never records, so the driver
/// that cuts it stays small; running it again reads the same records.
/// </summary>
/// <param name="Time">The batch time.</param>
/// <param name="InputId">The input (<see cref="DistributedSource.InputId"/>).</param>
/// <param name="Partition">The input's partition (<see cref="DistributedSource.Partitions"/>).</param>
/// <param name="Range">The partition's offset range as JSON, as the source wrote it (<see cref="Sources.IOffsetRangeSource.WriteRange"/>).</param>
public sealed record MapTask(BatchTime Time, int InputId, string Partition, string Range);
