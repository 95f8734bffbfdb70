using System.Text;

namespace StreamLinq.Sources;

/// <summary>
/// Spark's <c>textFileStream</c>: every batch takes the files that appeared in a directory
/// since the last batch, oldest first, and reads them as UTF-8 lines. Files must be moved into
/// the directory atomically (written elsewhere, then renamed); names starting with '.' or '_'
/// are ignored, as are subdirectories. Each path is taken once; a deleted and re-created path
/// counts as new. The sealed input is the list of files, so a batch can be read again.
/// </summary>
internal sealed class DirectoryTextSource(string directory) : IBatchSource<string>
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

    public string Name => $"TextFileStream({directory})";

    public bool IsReplayable => true;

    public bool HasPending => NewFiles().Count > 0;

    public void Start(SourceContext context)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"{Name}: the directory '{directory}' does not exist.");
        }
    }

    public Task StopAsync() => Task.CompletedTask;

    public ISealedInput Seal(BatchTime time)
    {
        var files = NewFiles();
        _taken.IntersectWith(Directory.EnumerateFiles(directory));
        _taken.UnionWith(files);
        return new SealedFiles(Name, files);
    }

    private List<string> NewFiles() =>
        new DirectoryInfo(directory)
            .EnumerateFiles()
            .Where(f => f.Name[0] is not ('.' or '_') && !_taken.Contains(f.FullName))
            .OrderBy(f => f.LastWriteTimeUtc)
            .ThenBy(f => f.Name, StringComparer.Ordinal)
            .Select(f => f.FullName)
            .ToList();

    /// <summary>The files of one batch; read when the batch runs, and again on a replay.</summary>
    internal sealed class SealedFiles(string source, IReadOnlyList<string> files) : ISealedInput
    {
        public IReadOnlyList<string> Files => files;

        public async ValueTask<Array> ReadAsync(CancellationToken cancellationToken)
        {
            var lines = new List<string>();
            foreach (var file in files)
            {
                var lineNumber = 0;
                try
                {
                    using var reader = new StreamReader(file, StrictUtf8, detectEncodingFromByteOrderMarks: true);
                    while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
                    {
                        lineNumber++;
                        lines.Add(line);
                    }
                }
                catch (DecoderFallbackException error)
                {
                    throw new SourceException(source, $"'{file}' is not valid UTF-8 at line {lineNumber + 1}.", error);
                }
                catch (Exception error) when (error is IOException or UnauthorizedAccessException)
                {
                    throw new SourceException(source, $"'{file}' could not be read: {error.Message}", error);
                }
            }

            return lines.ToArray();
        }
    }
}
