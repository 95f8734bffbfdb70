namespace StreamLinq;

/// <summary>
/// Receives the context's monitoring events (Spark's <c>StreamingListener</c>). Methods are
/// called on the scheduler's threads, in batch order; keep them short. An exception thrown by
/// a listener is written to standard error and does not affect the batch.
/// </summary>
public interface IStreamingListener
{
    /// <summary>A batch was sealed and queued.</summary>
    /// <param name="batch">The batch.</param>
    void OnBatchSubmitted(BatchInfo batch)
    {
    }

    /// <summary>A batch's processing began.</summary>
    /// <param name="batch">The batch.</param>
    void OnBatchStarted(BatchInfo batch)
    {
    }

    /// <summary>A batch's processing ended, successfully or with <see cref="BatchInfo.Failure"/>.</summary>
    /// <param name="batch">The batch.</param>
    void OnBatchCompleted(BatchInfo batch)
    {
    }

    /// <summary>
    /// A batch failed transiently and will be retried after <paramref name="delay"/>, as the
    /// <see cref="StreamingOptions.RestartStrategy"/> decided. Batches behind it wait.
    /// </summary>
    /// <param name="batch">The batch; <see cref="BatchInfo.Failure"/> holds the failure.</param>
    /// <param name="attempt">The retry about to run: 1 for the first retry.</param>
    /// <param name="delay">The wait before it.</param>
    void OnBatchRetrying(BatchInfo batch, int attempt, TimeSpan delay)
    {
    }

    /// <summary>
    /// A source hit an error it recovers from by itself (a dropped connection, a rejected
    /// line, an unreadable file that will be retried).
    /// </summary>
    /// <param name="source">The source's name, e.g. <c>SocketTextStream(127.0.0.1:9999)</c>.</param>
    /// <param name="error">What went wrong.</param>
    void OnSourceError(string source, Exception error)
    {
    }

    /// <summary>
    /// A source left input out of a batch under its <see cref="BadRecordPolicy"/> (or a peer cut a
    /// line short): never a silent change. Raised once each time the input is read, so a batch
    /// replayed after a restart reports it again. Also counted by the metrics
    /// <c>streamlinq.records.dropped</c> and <c>streamlinq.bytes.dropped</c>.
    /// </summary>
    /// <param name="dropped">What was left out, where, and why.</param>
    void OnRecordsDropped(RecordsDropped dropped)
    {
    }

    /// <summary>
    /// A push source's receiver began holding its producer back: the buffer was full
    /// (<see cref="ReceiverOptions.BufferCapacity"/>, the engine or the seal is behind) or the
    /// rate limit was exhausted (<see cref="ReceiverOptions.MaxRatePerSecond"/> or back
    /// pressure). Raised at most once per source, reason and batch interval. The records dropped
    /// instead under <see cref="ReceiverOptions.OnFullBuffer"/> go to <see cref="OnRecordsDropped"/>.
    /// </summary>
    /// <param name="blocked">Which source, why, and how full its buffer was.</param>
    void OnReceiverBlocked(ReceiverBlocked blocked)
    {
    }

    /// <summary>
    /// Checkpoint recovery hit something it worked around: a truncated or corrupt checkpoint
    /// file skipped for the previous one, a checkpoint discarded after a query change, or state
    /// that could not be matched to the query. Raised during
    /// <see cref="StreamingContext.GetOrCreate(StreamLinq.Checkpointing.ICheckpointStore, Func{StreamingContext}, CheckpointOptions?)"/> (to listeners the factory added) and at start.
    /// </summary>
    /// <param name="message">What was found and what was done instead.</param>
    void OnCheckpointWarning(string message)
    {
    }
}
