using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace StreamLinq.Connectors.Sample;

/// <summary>
/// A transactional sink into a directory: each batch becomes one JSON file holding its records
/// and its <see cref="BatchCommit"/>, written under a temporary name and renamed into place, so
/// the records and the commit land together or not at all. With a replayable source it gives
/// <see cref="DeliveryGuarantee.ExactlyOnce"/>.
/// </summary>
/// <typeparam name="T">The type of the records; written with System.Text.Json.</typeparam>
public sealed class FileCommitSink<T> : ITransactionalSink<T>
{
    private readonly string _directory;

    /// <summary>
    /// Serialises the check and the write: an attempt that timed out may still be committing
    /// while the retry of the same batch runs.
    /// </summary>
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Creates the sink.</summary>
    /// <param name="directory">Where the batch files go; created when missing.</param>
    public FileCommitSink(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        _directory = Path.GetFullPath(directory);
        Directory.CreateDirectory(_directory);
    }

    /// <summary>
    /// Without exactly once: the batch's file, rewritten whole by a replay (idempotent by batch
    /// time), with no commit offsets.
    /// </summary>
    /// <param name="batch">The records.</param>
    /// <param name="time">The batch time.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the file is in place.</returns>
    public Task WriteBatchAsync(IReadOnlyList<T> batch, BatchTime time, CancellationToken cancellationToken) =>
        WriteAsync(batch, new BatchCommit("plain", time, "null"), cancellationToken);

    /// <inheritdoc />
    public async Task CommitBatchAsync(IReadOnlyList<T> batch, BatchCommit commit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commit);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Last(commit.OutputId) is { } last && last.Time >= commit.Time)
            {
                return; // committed before a crash: a replay of the batch
            }

            await WriteAsync(batch, commit, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public Task<BatchCommit?> ReadLastCommitAsync(string outputId, CancellationToken cancellationToken) => Task.FromResult(Last(outputId));

    /// <summary>Every record committed under <paramref name="outputId"/>, batch by batch in time order.</summary>
    /// <param name="directory">The sink's directory.</param>
    /// <param name="outputId">The output, as in <see cref="BatchCommit.OutputId"/>.</param>
    /// <returns>The records.</returns>
    public static IReadOnlyList<T> ReadCommitted(string directory, string outputId) =>
        Files(Path.GetFullPath(directory), outputId).SelectMany(f => Read(f).Records).ToList();

    private BatchCommit? Last(string outputId) => Files(_directory, outputId).LastOrDefault() is { } file ? Read(file).Commit : null;

    private async Task WriteAsync(IReadOnlyList<T> batch, BatchCommit commit, CancellationToken cancellationToken)
    {
        var target = Path.Combine(_directory, $"{Prefix(commit.OutputId)}{commit.Time.Ticks:D20}.json");
        var temporary = target + ".tmp";
        await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            var content = new BatchFile(commit.OutputId, commit.Time.Ticks, commit.Offsets, batch);
            await JsonSerializer.SerializeAsync(file, content, cancellationToken: cancellationToken).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
        }

        // The rename is the commit: before it the batch is not there, after it records and offsets are.
        File.Move(temporary, target, overwrite: true);
    }

    private static (BatchCommit Commit, IReadOnlyList<T> Records) Read(string path)
    {
        var content = JsonSerializer.Deserialize<BatchFile>(File.ReadAllBytes(path))
            ?? throw new InvalidDataException($"'{path}' holds no batch.");
        return (new BatchCommit(content.OutputId, new BatchTime(content.Time), content.Offsets), content.Records);
    }

    private static IEnumerable<string> Files(string directory, string outputId) =>
        Directory.Exists(directory)
            ? Directory.GetFiles(directory, Prefix(outputId) + "*.json").Order(StringComparer.Ordinal)
            : [];

    /// <summary>Output ids hold spaces and '#': their hash names the files.</summary>
    private static string Prefix(string outputId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(outputId)))[..16] + "-";

    private sealed record BatchFile(string OutputId, long Time, string Offsets, IReadOnlyList<T> Records);
}
