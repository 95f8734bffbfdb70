namespace StreamLinq;

/// <summary>
/// Marks a sink that commits a batch's results and the batch's source offsets in one
/// transaction, so that a replayed batch is recognised and skipped. With a replayable
/// source it gives <see cref="DeliveryGuarantee.ExactlyOnce"/>. Implement
/// <see cref="ITransactionalSink{T}"/> to receive the commit token.
/// </summary>
public interface ITransactionalSink
{
}

/// <summary>
/// A sink that writes each batch together with its <see cref="BatchCommit"/> in one transaction.
/// </summary>
/// <typeparam name="T">The type of the records written.</typeparam>
/// <remarks>
/// The contract: in one transaction, read the last batch time committed under
/// <see cref="BatchCommit.OutputId"/>; if it is at or after <see cref="BatchCommit.Time"/> the batch
/// was committed before a crash and must be skipped; otherwise write the records and store the
/// commit (time and offsets), then commit. Under exactly once the engine logs each batch's offset
/// ranges before its outputs run, so a replayed batch has the same time and the same records.
/// </remarks>
public interface ITransactionalSink<in T> : ITransactionalSink, IBatchSink<T>
{
    /// <summary>Writes one batch and its commit token atomically, or skips a batch already committed.</summary>
    /// <param name="batch">The batch's records.</param>
    /// <param name="commit">The batch's identity: output id, batch time and source offset ranges.</param>
    /// <param name="cancellationToken">Cancelled when the context stops without grace.</param>
    Task CommitBatchAsync(IReadOnlyList<T> batch, BatchCommit commit, CancellationToken cancellationToken);
}
