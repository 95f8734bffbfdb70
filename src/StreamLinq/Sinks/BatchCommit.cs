namespace StreamLinq;

/// <summary>
/// What a transactional sink stores with a batch's results so that a replay of the batch is
/// recognised: the output, the batch time, and the offset ranges the batch read.
/// </summary>
/// <param name="OutputId">
/// The output operation, stable across restarts of the same query: the name
/// <see cref="DStreamQueryable.Named{TSource}"/> gave it, or else its kind and position, e.g.
/// <c>WriteTo(PostgresSink) #1</c>.
/// </param>
/// <param name="Time">The batch time; a replay has the same.</param>
/// <param name="Offsets">
/// The batch's offset ranges as JSON, one property per input id (null for an input that cannot
/// replay), for the sink to store beside its results.
/// </param>
public sealed record BatchCommit(string OutputId, BatchTime Time, string Offsets)
{
    /// <summary>
    /// In cluster mode, the key partition whose slice of the batch this write holds: several
    /// writers (one per key partition) write the same batch, each once, so a sink keys its commit
    /// record by (output, partition). Null in one process, where one writer writes the whole batch.
    /// </summary>
    public int? Partition { get; init; }

    /// <summary>
    /// In cluster mode, the epoch of the driver that dispatched the batch: it grows each time a
    /// driver takes over a job, so a sink's transaction can refuse a write whose epoch is older
    /// than one it has committed (a fencing token against a zombie writer). 0 in one process.
    /// </summary>
    public long Epoch { get; init; }
}
