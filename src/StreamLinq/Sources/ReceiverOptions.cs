namespace StreamLinq;

/// <summary>How a push source's receiver stores the records it is given.</summary>
public sealed record ReceiverOptions
{
    /// <summary>
    /// The most records per second the receiver accepts; a faster producer is slowed down
    /// (its push blocks) rather than buffered without bound. Null means no limit.
    /// </summary>
    public double? MaxRatePerSecond { get; init; }

    /// <summary>The buffer bound that applies when <see cref="BufferCapacity"/> is null, in records.</summary>
    public const int DefaultBufferCapacity = 1_000_000;

    /// <summary>
    /// The most records held between two batches (plus each producer's partly filled chunk);
    /// what happens to a record that finds the buffer full is <see cref="OnFullBuffer"/>.
    /// </summary>
    /// <remarks>
    /// Null (the default) bounds the buffer only when the engine is behind: while batches are
    /// sealed on time a batch takes whatever arrived in its interval, however much that is; once
    /// no seal has come for two batch intervals (the batch queue is full and the generator holds
    /// seals back), and until a seal comes on time again, the receiver holds at most
    /// <see cref="DefaultBufferCapacity"/> records. A
    /// number is a hard bound at every moment. Either way every hold is reported
    /// (<see cref="IStreamingListener.OnReceiverBlocked"/>, the metrics
    /// <c>streamlinq.receiver.records_held_back</c> and <c>streamlinq.receiver.blocked_time</c>).
    /// </remarks>
    public int? BufferCapacity { get; init; }

    /// <summary>
    /// What a record that finds the buffer full does: wait for the next seal (the default, back
    /// pressure on the producer), drop the newest or the oldest records (counted, reported to
    /// <see cref="IStreamingListener.OnRecordsDropped"/> once per batch), or fail the source.
    /// </summary>
    public FullBufferPolicy OnFullBuffer { get; init; }

    /// <summary>
    /// Whether every record is written to a write-ahead log in the checkpoint directory before
    /// it is acknowledged to the producer, so that records received are not lost when the driver
    /// dies and a batch can be replayed (which also lets the stream serve exactly-once outputs).
    /// Needs a context created by <see cref="StreamingContext.GetOrCreate(StreamLinq.Checkpointing.ICheckpointStore, Func{StreamingContext}, CheckpointOptions?)"/>. Records are logged
    /// exactly as checkpointed state is (every field, floating-point bits, decimal scale); a
    /// record type that cannot round-trip (declared as object or an interface, holding a
    /// delegate...) makes <see cref="StreamingContext.StartAsync"/> refuse to start, naming it.
    /// False by default: a log write per record costs.
    /// </summary>
    public bool WriteAheadLog { get; init; }

    /// <summary>
    /// What happens when the write-ahead log misses a segment or holds a damaged one (a record
    /// line that fails its checksum, a segment whose count or SHA-256 differs from its trailer or
    /// from what the checkpoint recorded). Default <see cref="BadRecordPolicy.Fail"/>: the context
    /// refuses to start, or the batch that reads the segment fails, with a message naming the
    /// segment; acknowledged records are never lost silently. <see cref="BadRecordPolicy.Skip"/>
    /// accepts the loss loudly: what verifies is read, the rest is reported to
    /// <see cref="IStreamingListener.OnRecordsDropped"/> and counted. <see cref="BadRecordPolicy.DeadLetter"/>
    /// does the same and copies a damaged segment into <c>dead-letter</c> beside the log.
    /// </summary>
    /// <remarks>
    /// Segments are kept until every checkpoint the store keeps
    /// (<see cref="CheckpointOptions.RetainedCheckpoints"/>) is past them, so a fallback to an older
    /// checkpoint finds the segments it needs.
    /// </remarks>
    public BadRecordPolicy DamagedLogPolicy { get; init; }
}
