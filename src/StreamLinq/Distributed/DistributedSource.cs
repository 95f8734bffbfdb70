namespace StreamLinq.Distributed;

/// <summary>
/// One input of a distributed job: the driver cuts one offset range per partition per batch, and
/// each partition's range is one map task, run where the executor of that partition lives.
/// </summary>
/// <param name="InputId">The input's id in its context (the order the query added it, from 0).</param>
/// <param name="Name">The source's name, as in plans and messages.</param>
/// <param name="Partitions">
/// The source's partitions (<see cref="Sources.IPartitionedSource.Partitions"/>); one unnamed
/// partition (the empty string) for an <see cref="Sources.IOffsetRangeSource"/> that is not partitioned.
/// </param>
public sealed record DistributedSource(int InputId, string Name, IReadOnlyList<string> Partitions);
