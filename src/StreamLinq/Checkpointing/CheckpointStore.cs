namespace StreamLinq.Checkpointing;

/// <summary>
/// The engine's side of an <see cref="ICheckpointStore"/>: numbers, frames (length, SHA-256,
/// format) and verifies the checkpoints, keeps the newest few, and loads the newest that verifies,
/// reporting each one skipped, so a truncated or corrupt newest checkpoint falls back to the
/// previous one, whichever store holds them.
/// </summary>
internal sealed class CheckpointStore
{
    private readonly int _retained;
    private long _nextSequence;

    /// <summary>A local checkpoint directory, with the receivers' write-ahead logs under it.</summary>
    public CheckpointStore(string directory, int retained)
        : this(new DirectoryCheckpointStore(directory), retained, null)
    {
    }

    /// <param name="store">Where the checkpoints are kept.</param>
    /// <param name="retained">How many to keep, at least 2.</param>
    /// <param name="writeAheadLogDirectory">
    /// The local directory of the receivers' write-ahead logs; null for a directory store (its
    /// <c>receivers/</c>) or when the context has no logs.
    /// </param>
    public CheckpointStore(ICheckpointStore store, int retained, string? writeAheadLogDirectory)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retained, 2, nameof(CheckpointOptions.RetainedCheckpoints));
        Store = store;
        _retained = retained;
        ReceiversDirectory = writeAheadLogDirectory is not null ? Path.GetFullPath(writeAheadLogDirectory)
            : store is DirectoryCheckpointStore directory ? Path.Combine(directory.Directory, "receivers")
            : null;
        RemovedTemporaryFiles = (store as DirectoryCheckpointStore)?.RemovedTemporaryFiles ?? 0;
        if (ReceiversDirectory is not null && System.IO.Directory.Exists(ReceiversDirectory))
        {
            // Temporary files of interrupted write-ahead log writes: never renamed into place, so
            // nothing refers to them. One process owns a checkpoint store and its logs.
            foreach (var orphan in System.IO.Directory.EnumerateFiles(ReceiversDirectory, "*.tmp", SearchOption.AllDirectories))
            {
                File.Delete(orphan);
                RemovedTemporaryFiles++;
            }
        }

        _nextSequence = Sequences().DefaultIfEmpty(0).Max() + 1;
    }

    /// <summary>The store the checkpoints are kept in.</summary>
    public ICheckpointStore Store { get; }

    /// <summary>The checkpoint directory when the store is one, else null.</summary>
    public string? Directory => (Store as DirectoryCheckpointStore)?.Directory;

    /// <summary>The write-ahead logs' root: under the checkpoint directory, or the one configured; null when there is none.</summary>
    public string? ReceiversDirectory { get; }

    /// <summary>How many temporary files, left by writes a kill interrupted, were removed when the store opened.</summary>
    public int RemovedTemporaryFiles { get; }

    /// <summary>The size of the last checkpoint written, in bytes, as stored (for the metrics).</summary>
    public long LastSize { get; private set; }

    /// <summary>How many checkpoints are kept.</summary>
    public int Retained => _retained;

    /// <summary>
    /// Writes the next checkpoint atomically and deletes those beyond the retained count. A failed
    /// write consumes no sequence number: its retry writes the same one again.
    /// </summary>
    public void Write(Func<long, CheckpointData> snapshot)
    {
        var sequence = _nextSequence;
        var data = snapshot(sequence);
        var framed = CheckpointFile.Frame(data.Serialize());
        try
        {
            Wait(Store.WriteAsync(sequence, framed, CancellationToken.None));
            _nextSequence = sequence + 1;
            LastSize = framed.Length;
            foreach (var old in Sequences().Skip(_retained))
            {
                Wait(Store.DeleteAsync(old, CancellationToken.None));
            }
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // A store's own exception (a database's, a Redis client's) is an I/O failure to the
            // restart strategy, which retries the write; the message names the store.
            throw new IOException($"Checkpoint {sequence} could not be written to {Store.Description}: {error.Message}", error);
        }
    }

    /// <summary>The newest checkpoint that verifies, or null; <paramref name="warnings"/> gets one line per checkpoint skipped.</summary>
    public CheckpointData? LoadNewest(List<string> warnings)
    {
        foreach (var sequence in Sequences())
        {
            var name = Store is DirectoryCheckpointStore ? DirectoryCheckpointStore.FileName(sequence) : $"checkpoint {sequence} in {Store.Description}";
            try
            {
                var bytes = Read(sequence);
                if (bytes is null)
                {
                    continue;
                }

                var data = CheckpointData.Deserialize(CheckpointFile.Verify(bytes, name));
                if (data.Sequence != sequence)
                {
                    throw new InvalidDataException($"'{name}' holds checkpoint {data.Sequence}, not {sequence}.");
                }

                return data;
            }
            catch (Exception error) when (error is InvalidDataException || (error is IOException && Store is DirectoryCheckpointStore))
            {
                warnings.Add($"Checkpoint skipped: {error.Message} Falling back to the previous checkpoint.");
            }
        }

        return null;
    }

    private byte[]? Read(long sequence)
    {
        try
        {
            return Wait(Store.ReadAsync(sequence, CancellationToken.None));
        }
        catch (Exception error) when (error is not (IOException or OperationCanceledException))
        {
            // A server that cannot be read is not a damaged checkpoint: falling back past it would
            // resume from an older one while the newest may be fine, so the start fails instead.
            // (An unreadable file in a directory store is skipped, as a damaged one.)
            throw new IOException($"Checkpoint {sequence} could not be read from {Store.Description}: {error.Message}", error);
        }
    }

    /// <summary>Deletes every checkpoint and write-ahead log, for a context that starts afresh over a changed query.</summary>
    public void Clear()
    {
        if (ReceiversDirectory is { } logs && System.IO.Directory.Exists(logs))
        {
            System.IO.Directory.Delete(logs, recursive: true);
        }

        foreach (var sequence in Sequences())
        {
            Wait(Store.DeleteAsync(sequence, CancellationToken.None));
        }
    }

    /// <summary>The checkpoints' sequence numbers, newest first.</summary>
    private List<long> Sequences()
    {
        try
        {
            return [.. Wait(Store.ListAsync(CancellationToken.None)).OrderDescending()];
        }
        catch (Exception error) when (error is not (IOException or OperationCanceledException))
        {
            throw new IOException($"The checkpoints in {Store.Description} could not be listed: {error.Message}", error);
        }
    }

    // The scheduler writes checkpoints synchronously on the batch runner (a thread of its own, no
    // synchronization context), so blocking on a store's I/O here cannot deadlock.
    private static T Wait<T>(ValueTask<T> task) => task.IsCompletedSuccessfully ? task.Result : task.AsTask().GetAwaiter().GetResult();

    private static void Wait(ValueTask task)
    {
        if (!task.IsCompletedSuccessfully)
        {
            task.AsTask().GetAwaiter().GetResult();
        }
    }
}
