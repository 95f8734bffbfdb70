using System.Text;

namespace StreamLinq.Sinks;

/// <summary>
/// Spark's <c>saveAsTextFiles</c>: one folder per batch, <c>prefix-TIME_IN_MS[.suffix]</c>, holding
/// <c>part-00000</c>. Written under a hidden temporary name and renamed into place, so readers
/// see a whole batch or none; a replay replaces the folder, so it is idempotent by batch time.
/// </summary>
internal sealed class TextFilesSink<T>(string prefix, string? suffix) : IBatchSink<T>, IIdempotentSink
{
    public string FolderFor(BatchTime time) =>
        string.IsNullOrEmpty(suffix) ? $"{prefix}-{time.Milliseconds}" : $"{prefix}-{time.Milliseconds}.{suffix}";

    public async Task WriteBatchAsync(IReadOnlyList<T> batch, BatchTime time, CancellationToken cancellationToken)
    {
        var target = Path.GetFullPath(FolderFor(time));
        var parent = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(parent);
        var temporary = Path.Combine(parent, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(temporary);
        try
        {
            var file = Path.Combine(temporary, "part-00000");
            await using (var stream = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            await using (var text = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)))
            {
                foreach (var record in batch)
                {
                    await text.WriteLineAsync(record?.ToString()).ConfigureAwait(false);
                }

                await text.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            await File.WriteAllBytesAsync(Path.Combine(temporary, "_SUCCESS"), [], cancellationToken).ConfigureAwait(false);
            if (Directory.Exists(target))
            {
                Directory.Delete(target, recursive: true);
            }

            Directory.Move(temporary, target);
        }
        catch
        {
            if (Directory.Exists(temporary))
            {
                Directory.Delete(temporary, recursive: true);
            }

            throw;
        }
    }
}
