namespace StreamLinq.Checkpointing;

/// <summary>
/// Where a context's checkpoints are kept: a numbered set of opaque byte blobs. The engine frames
/// every checkpoint (format version, length, SHA-256) before it hands it to the store, verifies
/// it when it reads it back, keeps the newest <see cref="CheckpointOptions.RetainedCheckpoints"/>
/// and falls back to the previous one when the newest does not verify; a store only has to keep
/// the bytes and write each one atomically.
/// </summary>
/// <remarks>
/// <para>Implementations: <see cref="DirectoryCheckpointStore"/> (a local directory, the default of
/// <see cref="StreamingContext.GetOrCreate(string, Func{StreamingContext}, CheckpointOptions?)"/>),
/// <c>PostgresCheckpointStore</c> in StreamLinq.Postgres and <c>RedisCheckpointStore</c> in
/// StreamLinq.Redis. Choose one with
/// <see cref="StreamingContext.GetOrCreate(ICheckpointStore, Func{StreamingContext}, CheckpointOptions?)"/>.</para>
/// <para>One running context owns a store (a directory, a name in a table, a key): two contexts
/// writing the same one would interleave their sequences.</para>
/// <para>An exception from <see cref="WriteAsync"/> (the server is down, the disk full) fails the
/// batch that wrote, naming the store and carrying the cause; the batch is retried under
/// <see cref="StreamingOptions.RestartStrategy"/> and the write simply made again. An exception
/// from <see cref="ListAsync"/> or <see cref="ReadAsync"/> at <c>GetOrCreate</c> fails it.</para>
/// <para>Receivers' write-ahead logs are not kept here: they stay on a local disk (the checkpoint
/// directory, or <see cref="CheckpointOptions.WriteAheadLogDirectory"/> for other stores).</para>
/// </remarks>
public interface ICheckpointStore
{
    /// <summary>Names the store in messages and warnings, e.g. <c>directory '/var/lib/job'</c>.</summary>
    string Description { get; }

    /// <summary>The sequence numbers of the checkpoints the store holds, in any order.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Every sequence number written and not deleted.</returns>
    ValueTask<IReadOnlyCollection<long>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Reads the checkpoint written under <paramref name="sequence"/>, as it was written.</summary>
    /// <param name="sequence">A sequence number returned by <see cref="ListAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The bytes, or null when the checkpoint is gone (deleted meanwhile).</returns>
    ValueTask<byte[]?> ReadAsync(long sequence, CancellationToken cancellationToken);

    /// <summary>
    /// Writes a checkpoint atomically: once the call returns, a reader finds all of
    /// <paramref name="checkpoint"/> under <paramref name="sequence"/>, and a crash or failure
    /// during the call leaves either all of it or nothing under that number. A checkpoint already
    /// under that number (a write retried after a failure it did not see) is replaced.
    /// </summary>
    /// <param name="sequence">The checkpoint's number; higher numbers are newer.</param>
    /// <param name="checkpoint">The framed checkpoint.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    ValueTask WriteAsync(long sequence, ReadOnlyMemory<byte> checkpoint, CancellationToken cancellationToken);

    /// <summary>
    /// Writes a checkpoint under <paramref name="sequence"/> only when the store holds none there,
    /// atomically as <see cref="WriteAsync"/> does: of several calls racing for the same number
    /// (in one process or many), exactly one returns true, and what it wrote stays.
    /// </summary>
    /// <param name="sequence">The checkpoint's number.</param>
    /// <param name="checkpoint">The bytes.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when this call wrote; false when a checkpoint was already under that number (left as it was).</returns>
    /// <remarks>
    /// <para>Cluster mode's drivers claim their epochs with it (docs/cluster.md): a store shared by
    /// a cluster job's silos must implement it atomically. <see cref="DirectoryCheckpointStore"/>
    /// (a hard link, which fails when the name exists), <c>PostgresCheckpointStore</c>
    /// (<c>INSERT ... ON CONFLICT DO NOTHING</c>) and <c>RedisCheckpointStore</c> (<c>HSETNX</c>) do.</para>
    /// <para>The default implementation, for stores written before it existed, reads and then writes
    /// when it found nothing: it is not atomic, so two callers racing may both return true (the
    /// later write wins). Such a store keeps working, without the guarantee.</para>
    /// </remarks>
    async ValueTask<bool> TryCreateAsync(long sequence, ReadOnlyMemory<byte> checkpoint, CancellationToken cancellationToken)
    {
        if (await ReadAsync(sequence, cancellationToken).ConfigureAwait(false) is not null)
        {
            return false;
        }

        await WriteAsync(sequence, checkpoint, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Deletes the checkpoint under <paramref name="sequence"/>; nothing happens when there is none.</summary>
    /// <param name="sequence">The checkpoint's number.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    ValueTask DeleteAsync(long sequence, CancellationToken cancellationToken);
}
