using System.Globalization;

namespace StreamLinq.Checkpointing;

/// <summary>
/// The checkpoint directory: files <c>checkpoint-&lt;sequence&gt;.ckpt</c>, the newest few kept.
/// Loading walks them newest first and takes the first that verifies, reporting each one
/// skipped, so a truncated or corrupt newest checkpoint falls back to the previous one.
/// </summary>
internal sealed class CheckpointStore
{
    private const string Prefix = "checkpoint-";
    private const string Extension = ".ckpt";
    private readonly int _retained;
    private long _nextSequence;

    public CheckpointStore(string directory, int retained)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retained, 2, nameof(CheckpointOptions.RetainedCheckpoints));
        Directory = Path.GetFullPath(directory);
        _retained = retained;
        OwnerOnlyFiles.CreateDirectory(Directory);
        RemovedTemporaryFiles = RemoveTemporaryFiles();
        _nextSequence = Files().Select(f => f.Sequence).DefaultIfEmpty(0).Max() + 1;
    }

    /// <summary>The write-ahead logs' root under the checkpoint directory.</summary>
    public string ReceiversDirectory => Path.Combine(Directory, "receivers");

    /// <summary>How many temporary files, left by writes a kill interrupted, the store removed when it opened.</summary>
    public int RemovedTemporaryFiles { get; }

    /// <summary>
    /// Removes the temporary files of interrupted checkpoint and write-ahead log writes: they were
    /// never renamed into place, so nothing refers to them. One process owns a checkpoint directory.
    /// </summary>
    private int RemoveTemporaryFiles()
    {
        var orphans = System.IO.Directory.EnumerateFiles(Directory, CheckpointFile.TemporaryPattern).ToList();
        if (System.IO.Directory.Exists(ReceiversDirectory))
        {
            orphans.AddRange(System.IO.Directory.EnumerateFiles(ReceiversDirectory, "*.tmp", SearchOption.AllDirectories));
        }

        foreach (var orphan in orphans)
        {
            File.Delete(orphan);
        }

        return orphans.Count;
    }

    public string Directory { get; }

    /// <summary>The size of the last checkpoint's body, in bytes (for the metrics).</summary>
    public long LastSize { get; private set; }

    /// <summary>How many checkpoint files are kept.</summary>
    public int Retained => _retained;

    /// <summary>Writes the next checkpoint atomically and deletes those beyond the retained count.</summary>
    public void Write(Func<long, CheckpointData> snapshot)
    {
        var sequence = _nextSequence++;
        var data = snapshot(sequence);
        var body = data.Serialize();
        CheckpointFile.Write(PathOf(sequence), body);
        LastSize = body.Length;
        foreach (var (path, _) in Files().Skip(_retained))
        {
            File.Delete(path);
        }
    }

    /// <summary>The newest checkpoint that verifies, or null; <paramref name="warnings"/> gets one line per file skipped.</summary>
    public CheckpointData? LoadNewest(List<string> warnings)
    {
        foreach (var (path, sequence) in Files())
        {
            try
            {
                var data = CheckpointData.Deserialize(CheckpointFile.Read(path));
                if (data.Sequence != sequence)
                {
                    throw new InvalidDataException($"'{Path.GetFileName(path)}' holds checkpoint {data.Sequence}, not {sequence}.");
                }

                return data;
            }
            catch (Exception error) when (error is InvalidDataException or IOException)
            {
                warnings.Add($"Checkpoint skipped: {error.Message} Falling back to the previous checkpoint.");
            }
        }

        return null;
    }

    /// <summary>Deletes every checkpoint file and write-ahead log, for a context that starts afresh over a changed query.</summary>
    public void Clear()
    {
        var logs = ReceiversDirectory;
        if (System.IO.Directory.Exists(logs))
        {
            System.IO.Directory.Delete(logs, recursive: true);
        }

        foreach (var (path, _) in Files())
        {
            File.Delete(path);
        }
    }

    private string PathOf(long sequence) => Path.Combine(Directory, $"{Prefix}{sequence.ToString("D12", CultureInfo.InvariantCulture)}{Extension}");

    /// <summary>The checkpoint files, newest first.</summary>
    private List<(string Path, long Sequence)> Files() =>
        System.IO.Directory.EnumerateFiles(Directory, Prefix + "*" + Extension)
            .Select(path => (Path: path, Name: Path.GetFileNameWithoutExtension(path)[Prefix.Length..]))
            .Where(f => long.TryParse(f.Name, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .Select(f => (f.Path, long.Parse(f.Name, CultureInfo.InvariantCulture)))
            .OrderByDescending(f => f.Item2)
            .ToList();
}
