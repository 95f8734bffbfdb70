namespace StreamLinq.Sources;

/// <summary>
/// A replayable source read as several partitions (Redis streams, NATS subjects, log files):
/// each batch holds one offset range per partition, and its position is one offset per
/// partition. The partitions are independent: each range is read, replayed and compared with a
/// committed range on its own, and <see cref="RangeOrders.Combine"/> gives the batch's order.
/// </summary>
/// <remarks>
/// Write a batch's range (<see cref="IOffsetRangeSource.WriteRange"/>) as one entry per
/// partition, named by <see cref="Partitions"/>, so that a checkpoint or a commit can be read
/// partition by partition. The cluster issue distributes partitions among workers through this
/// contract; a single-process context reads them all.
/// </remarks>
public interface IPartitionedSource : IOffsetRangeSource
{
    /// <summary>The partitions this source reads, in a fixed order; names are stable across restarts.</summary>
    IReadOnlyList<string> Partitions { get; }
}
