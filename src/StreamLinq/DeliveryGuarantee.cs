namespace StreamLinq;

/// <summary>
/// What a crash between an output operation and the checkpoint of its batch means for that
/// output: whether a record's effect can be lost, repeated, or neither.
/// </summary>
public enum DeliveryGuarantee
{
    /// <summary>
    /// The batch's source offsets are committed before the output runs: a crash during the
    /// output loses that batch's effects, and nothing is ever written twice.
    /// </summary>
    AtMostOnce,

    /// <summary>
    /// The output runs, then the batch is committed: a crash replays the batch, so the sink
    /// must be idempotent (writing the same batch twice leaves the same result as once).
    /// The StreamLinq analyzers warn about sinks that are not. This is the default.
    /// </summary>
    AtLeastOnce,

    /// <summary>
    /// Each record's effect happens once: needs a replayable source and a sink that is either
    /// transactional (<see cref="ITransactionalSink"/>) or idempotent by batch time
    /// (<see cref="IIdempotentSink"/>, <see cref="IdempotentSinkAttribute"/>). Refused at start
    /// when a source or sink of the query cannot give it.
    /// </summary>
    ExactlyOnce,
}
