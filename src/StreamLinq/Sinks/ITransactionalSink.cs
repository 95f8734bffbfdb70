namespace StreamLinq;

/// <summary>
/// Marks a sink that commits a batch's results and the batch's source offsets in one
/// transaction, so that a replayed batch is recognised and skipped. With a replayable
/// source it gives <see cref="DeliveryGuarantee.ExactlyOnce"/>. Implement
/// <see cref="ITransactionalSink{T}"/> to receive the commit token.
/// </summary>
/// <remarks>
/// <para>The sink's commits, not the local checkpoint directory, are the truth about what it
/// holds. When the context starts it reads every transactional output's last commit with
/// <see cref="ReadLastCommitAsync"/> (within <see cref="StreamingOptions.SinkCommitReadTimeout"/>);
/// a replayable source whose position is behind the commits (an old or damaged checkpoint, or
/// none) resumes right after them, and a batch whose offset ranges the output already committed
/// is not handed to the sink again, whatever its new batch time.</para>
/// <para>With several transactional outputs at different positions, a source resumes after the
/// earliest commit, cuts no batch across a later one, and each output skips the batches it
/// already holds. Outputs that are not transactional follow the source: after a lost
/// checkpoint they do not see again what the transactional outputs had committed.</para>
/// </remarks>
public interface ITransactionalSink
{
    /// <summary>
    /// Reads back the last commit stored for <paramref name="outputId"/>, as it was handed to
    /// <see cref="ITransactionalSink{T}.CommitBatchAsync"/>; null when the output has committed
    /// nothing yet. Called once per output when the context starts.
    /// </summary>
    /// <param name="outputId">The output, as in <see cref="BatchCommit.OutputId"/>.</param>
    /// <param name="cancellationToken">Cancelled when the read exceeds <see cref="StreamingOptions.SinkCommitReadTimeout"/>.</param>
    /// <returns>
    /// The output's last commit (batch time and offsets JSON, unchanged), or null. The default
    /// implementation returns null: the context then relies on its checkpoint alone, and a
    /// checkpoint lost or damaged may replay batches into the sink, which must skip them itself.
    /// </returns>
    /// <remarks>An exception or a timeout fails <see cref="StreamingContext.StartAsync"/>, naming the output.</remarks>
    Task<BatchCommit?> ReadLastCommitAsync(string outputId, CancellationToken cancellationToken) => Task.FromResult<BatchCommit?>(null);
}

/// <summary>
/// A sink that writes each batch together with its <see cref="BatchCommit"/> in one transaction.
/// </summary>
/// <typeparam name="T">The type of the records written.</typeparam>
/// <remarks>
/// <para>The contract: in one transaction, read the last batch time committed under
/// <see cref="BatchCommit.OutputId"/>; if it is at or after <see cref="BatchCommit.Time"/> the batch
/// was committed before a crash and must be skipped; otherwise write the records and store the
/// commit (time and offsets, unchanged, so that <see cref="ITransactionalSink.ReadLastCommitAsync"/>
/// can return them), then commit. Under exactly once the engine logs each batch's offset ranges
/// before its outputs run, so a replayed batch has the same time and the same records.</para>
/// <para>The engine compares offsets before it calls the sink: a batch whose ranges the output's
/// last commit (read at start) already covers is never handed over, and new batch times are
/// always after the last committed time, so the sink's check by time only has to catch a replay
/// of the very batch it committed last.</para>
/// <para>Two calls for the same batch and output can overlap: an attempt that timed out (or was
/// cancelled) may still commit in the background while the retry runs. The check and the write
/// must therefore be serialised per output, also before the output's first commit (a row lock
/// on the commit record alone locks nothing while that record does not exist yet).</para>
/// </remarks>
public interface ITransactionalSink<in T> : ITransactionalSink, IBatchSink<T>
{
    /// <summary>Writes one batch and its commit token atomically, or skips a batch already committed.</summary>
    /// <param name="batch">The batch's records.</param>
    /// <param name="commit">The batch's identity: output id, batch time and source offset ranges.</param>
    /// <param name="cancellationToken">
    /// Cancelled after <see cref="StreamingOptions.OperationTimeout"/> or when the context stops
    /// without grace. The engine stops waiting then even if the call goes on, and a retry may call
    /// again for the same batch while the first call is still committing.
    /// </param>
    Task CommitBatchAsync(IReadOnlyList<T> batch, BatchCommit commit, CancellationToken cancellationToken);
}
