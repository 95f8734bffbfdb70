namespace StreamLinq;

/// <summary>
/// What a push source's receiver does with a record that finds its buffer full
/// (<see cref="ReceiverOptions.OnFullBuffer"/>). Every choice is visible: a producer held back is
/// reported to <see cref="IStreamingListener.OnReceiverBlocked"/>, dropped records to
/// <see cref="IStreamingListener.OnRecordsDropped"/> and the metrics.
/// </summary>
public enum FullBufferPolicy
{
    /// <summary>The producer waits until the next seal makes room (back pressure); the default.</summary>
    Wait,

    /// <summary>The record offered is dropped and counted; the producer never waits for room.</summary>
    DropNewest,

    /// <summary>
    /// The oldest buffered chunk of records (up to a few thousand, the receiver's unit of hand-off)
    /// is dropped and counted to make room; the producer never waits for room. Not allowed with
    /// <see cref="ReceiverOptions.WriteAheadLog"/>: the dropped records would already be in the log.
    /// </summary>
    DropOldest,

    /// <summary>
    /// The source fails: the record is refused, and once the records already buffered are sealed,
    /// every later batch fails with a <see cref="SourceException"/> naming the source and the capacity.
    /// </summary>
    Fail,
}
