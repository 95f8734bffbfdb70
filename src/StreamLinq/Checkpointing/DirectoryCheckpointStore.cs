using System.Globalization;

namespace StreamLinq.Checkpointing;

/// <summary>
/// Checkpoints in a local directory, the default store: files <c>checkpoint-&lt;sequence&gt;.ckpt</c>,
/// each written to a temporary file, flushed to disk and renamed into place (atomic on one file
/// system), owner-only on Unix (0600, the directory 0700). The receivers' write-ahead logs go to
/// its <c>receivers/</c> subdirectory.
/// </summary>
/// <remarks>
/// Opening the store removes the temporary files of writes a kill interrupted (they were never
/// renamed into place, so nothing refers to them); <c>GetOrCreate</c> reports how many as a
/// checkpoint warning. The directory entry of a rename is not fsynced (.NET has no portable way
/// to), so after a power loss the newest checkpoint may be missing: recovery uses the previous one.
/// </remarks>
public sealed class DirectoryCheckpointStore : ICheckpointStore
{
    private const string Prefix = "checkpoint-";
    private const string Extension = ".ckpt";

    /// <summary>Opens (creating it when missing) the checkpoint directory <paramref name="directory"/>.</summary>
    /// <param name="directory">The directory; relative paths are resolved against the current directory.</param>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is null or empty.</exception>
    public DirectoryCheckpointStore(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = Path.GetFullPath(directory);
        OwnerOnlyFiles.CreateDirectory(Directory);
        var orphans = System.IO.Directory.EnumerateFiles(Directory, CheckpointFile.TemporaryPattern).ToList();
        foreach (var orphan in orphans)
        {
            File.Delete(orphan);
        }

        RemovedTemporaryFiles = orphans.Count;
    }

    /// <summary>The directory's full path.</summary>
    public string Directory { get; }

    /// <summary>How many temporary files of interrupted checkpoint writes the store removed when it opened.</summary>
    public int RemovedTemporaryFiles { get; }

    /// <inheritdoc/>
    public string Description => $"directory '{Directory}'";

    /// <inheritdoc/>
    public ValueTask<IReadOnlyCollection<long>> ListAsync(CancellationToken cancellationToken)
    {
        IReadOnlyCollection<long> sequences = System.IO.Directory.EnumerateFiles(Directory, Prefix + "*" + Extension)
            .Select(path => Path.GetFileNameWithoutExtension(path)[Prefix.Length..])
            .Where(name => long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .Select(name => long.Parse(name, CultureInfo.InvariantCulture))
            .ToList();
        return ValueTask.FromResult(sequences);
    }

    /// <inheritdoc/>
    public ValueTask<byte[]?> ReadAsync(long sequence, CancellationToken cancellationToken)
    {
        try
        {
            return ValueTask.FromResult<byte[]?>(File.ReadAllBytes(PathOf(sequence)));
        }
        catch (FileNotFoundException)
        {
            return ValueTask.FromResult<byte[]?>(null);
        }
    }

    /// <inheritdoc/>
    public ValueTask WriteAsync(long sequence, ReadOnlyMemory<byte> checkpoint, CancellationToken cancellationToken)
    {
        CheckpointFile.WriteAtomically(PathOf(sequence), checkpoint.Span);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask<bool> TryCreateAsync(long sequence, ReadOnlyMemory<byte> checkpoint, CancellationToken cancellationToken) =>
        ValueTask.FromResult(CheckpointFile.CreateAtomically(PathOf(sequence), checkpoint.Span));

    /// <inheritdoc/>
    public ValueTask DeleteAsync(long sequence, CancellationToken cancellationToken)
    {
        File.Delete(PathOf(sequence));
        return ValueTask.CompletedTask;
    }

    /// <summary>The name of the file that holds checkpoint <paramref name="sequence"/>.</summary>
    internal static string FileName(long sequence) => $"{Prefix}{sequence.ToString("D12", CultureInfo.InvariantCulture)}{Extension}";

    private string PathOf(long sequence) => Path.Combine(Directory, FileName(sequence));
}
