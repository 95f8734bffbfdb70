using System.Text;
using System.Text.Json;

namespace StreamLinq.Sources;

/// <summary>
/// Spark's <c>textFileStream</c>: every batch takes the files that appeared in a directory
/// since the last batch, oldest first, and reads them as UTF-8 lines. Files must be moved into
/// the directory atomically (written elsewhere, then renamed); names starting with '.' or '_'
/// are ignored, as are subdirectories. Each path is taken once; a deleted and re-created path
/// counts as new. The sealed input is the list of files, so a batch can be read again.
/// </summary>
/// <remarks>
/// Checkpointed: the set of files taken (its position) and each pending batch's file list (its
/// offset range). A replayed batch reads the same files again; they must not have been changed.
/// </remarks>
internal sealed class DirectoryTextSource(string directory) : IBatchSource<string>, IOffsetRangeSource
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];
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

    public string StateId => Name;

    public int StateVersion => 1;

    public void WriteState(Utf8JsonWriter writer)
    {
        writer.WriteStartArray();
        foreach (var file in _taken.Order(StringComparer.Ordinal))
        {
            writer.WriteStringValue(file);
        }

        writer.WriteEndArray();
    }

    public void ReadState(JsonElement state, int version)
    {
        if (version != StateVersion || state.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"{Name}: unreadable checkpointed state (version {version}).");
        }

        _taken.Clear();
        _taken.UnionWith(state.EnumerateArray().Select(f => f.GetString() ?? throw new InvalidDataException($"{Name}: a null file name in the checkpoint.")));
    }

    public void WriteRange(ISealedInput input, Utf8JsonWriter writer)
    {
        writer.WriteStartArray();
        foreach (var file in ((SealedFiles)input).Files)
        {
            writer.WriteStringValue(file);
        }

        writer.WriteEndArray();
    }

    public ISealedInput ReadRange(JsonElement range)
    {
        if (range.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"{Name}: a pending batch's file list is malformed.");
        }

        return new SealedFiles(Name, range.EnumerateArray().Select(f => f.GetString() ?? throw new InvalidDataException($"{Name}: a null file name in the checkpoint.")).ToList());
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
                byte[] bytes;
                try
                {
                    bytes = await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception error) when (error is IOException or UnauthorizedAccessException)
                {
                    throw new SourceException(source, $"'{file}' could not be read: {error.Message}", error);
                }

                AddLines(file, bytes, lines);
            }

            return lines.ToArray();
        }

        /// <summary>Splits on '\n' (dropping a '\r' before it) and decodes each line strictly, so an error names its line.</summary>
        private void AddLines(string file, ReadOnlySpan<byte> bytes, List<string> lines)
        {
            if (bytes.StartsWith(Utf8Bom))
            {
                bytes = bytes[Utf8Bom.Length..];
            }

            for (var lineNumber = 1; !bytes.IsEmpty; lineNumber++)
            {
                var end = bytes.IndexOf((byte)'\n');
                var line = end < 0 ? bytes : bytes[..end];
                bytes = end < 0 ? [] : bytes[(end + 1)..];
                if (line.EndsWith("\r"u8))
                {
                    line = line[..^1];
                }

                try
                {
                    lines.Add(StrictUtf8.GetString(line));
                }
                catch (DecoderFallbackException error)
                {
                    throw new SourceException(source, $"'{file}' is not valid UTF-8 at line {lineNumber}.", error);
                }
            }
        }
    }
}
