using System.Buffers;
using System.IO.Pipelines;
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
/// Files are streamed through a pipe, line by line (<see cref="Utf8Lines"/>), so a batch holds its
/// records and one read buffer, never a whole file's bytes. A file that cannot be read is handled
/// by <see cref="TextFileStreamOptions.BadRecordPolicy"/>, the same way on every read.
/// </remarks>
internal sealed class DirectoryTextSource(string directory, TextFileStreamOptions options) : IBatchSource<string>, IOffsetRangeSource
{
    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);
    private readonly string _deadLetter = Path.GetFullPath(options.DeadLetterDirectory ?? Path.Combine(directory, "_dead-letter"));
    private SourceContext? _context;

    public string Name => $"TextFileStream({directory})";

    public bool IsReplayable => true;

    public bool HasPending => NewFiles().Count > 0;

    public void Start(SourceContext context)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"{Name}: the directory '{directory}' does not exist.");
        }

        _context = context;
    }

    public Task StopAsync() => Task.CompletedTask;

    public ISealedInput Seal(BatchTime time)
    {
        var files = NewFiles();
        _taken.IntersectWith(Directory.EnumerateFiles(directory));
        _taken.UnionWith(files);
        return new SealedFiles(this, files);
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

        return new SealedFiles(this, range.EnumerateArray().Select(f => f.GetString() ?? throw new InvalidDataException($"{Name}: a null file name in the checkpoint.")).ToList());
    }

    private List<string> NewFiles() =>
        new DirectoryInfo(directory)
            .EnumerateFiles()
            .Where(f => f.Name[0] is not ('.' or '_') && !_taken.Contains(f.FullName))
            .OrderBy(f => f.LastWriteTimeUtc)
            .ThenBy(f => f.Name, StringComparer.Ordinal)
            .Select(f => f.FullName)
            .ToList();

    /// <summary>Reads one file's lines into <paramref name="lines"/>, or applies the policy to it.</summary>
    private async Task ReadFileAsync(string file, List<string> lines, CancellationToken cancellationToken)
    {
        var first = lines.Count;
        FileStream stream;
        try
        {
            // No FileStream buffer: the pipe holds the only one.
            stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 0, FileOptions.SequentialScan);
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException)
        {
            Vanished(file, error);
            return;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            Unreadable(file, lines, first, error);
            return;
        }

        BadLine? bad;
        try
        {
            await using (stream.ConfigureAwait(false))
            {
                bad = await ReadLinesAsync(file, stream, lines, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            Unreadable(file, lines, first, error);
            return;
        }

        if (bad is { } line)
        {
            InvalidUtf8(file, lines, first, line);
        }
    }

    /// <summary>Where a line that is not valid UTF-8 was, and how long it is.</summary>
    private readonly record struct BadLine(long Number, long Offset, long Length);

    /// <summary>
    /// Splits the stream into lines and decodes each; under <see cref="BadRecordPolicy.Skip"/> a bad
    /// line is reported and left out, otherwise the first bad line stops the read and is returned.
    /// </summary>
    private async Task<BadLine?> ReadLinesAsync(string file, Stream stream, List<string> lines, CancellationToken cancellationToken)
    {
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: options.ReadBufferSize, minimumReadSize: Math.Min(options.ReadBufferSize, 4096), leaveOpen: true));
        var lineNumber = 0L;
        var offset = 0L;
        var start = true;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = result.Buffer;
                if (start)
                {
                    if (buffer.Length < Utf8Bom.Length && !result.IsCompleted)
                    {
                        reader.AdvanceTo(buffer.Start, buffer.End);
                        continue;
                    }

                    start = false;
                    if (buffer.Length >= Utf8Bom.Length && buffer.Slice(0, Utf8Bom.Length).ToArray().AsSpan().SequenceEqual(Utf8Bom))
                    {
                        buffer = buffer.Slice(Utf8Bom.Length);
                        offset = Utf8Bom.Length;
                    }
                }

                while (buffer.PositionOf((byte)'\n') is { } newline)
                {
                    var raw = buffer.Slice(0, newline);
                    buffer = buffer.Slice(buffer.GetPosition(1, newline));
                    if (Add(file, raw, ++lineNumber, offset, lines) is { } bad)
                    {
                        return bad;
                    }

                    offset += raw.Length + 1;
                }

                if (result.IsCompleted)
                {
                    return buffer.IsEmpty ? null : Add(file, buffer, ++lineNumber, offset, lines);
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private BadLine? Add(string file, ReadOnlySequence<byte> raw, long lineNumber, long offset, List<string> lines)
    {
        if (Utf8Lines.TryDecode(Utf8Lines.TrimTerminator(raw), out var text, out var badOffset))
        {
            lines.Add(text);
            return null;
        }

        var bad = new BadLine(lineNumber, offset + badOffset, raw.Length);
        if (options.BadRecordPolicy != BadRecordPolicy.Skip)
        {
            return bad;
        }

        _context?.ReportDropped(new RecordsDropped(Name, $"'{file}' line {bad.Number} (byte {bad.Offset})", "not valid UTF-8; the line was left out", 1, raw.Length, BadRecordPolicy.Skip), "invalid-utf8");
        return null;
    }

    private void InvalidUtf8(string file, List<string> lines, int first, BadLine line)
    {
        var where = $"'{file}' line {line.Number} (byte {line.Offset})";
        if (options.BadRecordPolicy == BadRecordPolicy.Fail)
        {
            throw new SourceException(Name, $"'{file}' is not valid UTF-8 at line {line.Number} (byte {line.Offset}). {PolicyHint}");
        }

        lines.RemoveRange(first, lines.Count - first);
        var moved = MoveToDeadLetter(file);
        _context?.ReportDropped(new RecordsDropped(Name, where, $"not valid UTF-8; the whole file was moved to the dead-letter directory", null, Length(moved), BadRecordPolicy.DeadLetter, moved), "invalid-utf8");
    }

    private void Unreadable(string file, List<string> lines, int first, Exception error)
    {
        if (options.BadRecordPolicy == BadRecordPolicy.Fail)
        {
            throw new SourceException(Name, $"'{file}' could not be read: {error.Message} {PolicyHint}", error);
        }

        lines.RemoveRange(first, lines.Count - first);
        string? moved = null;
        if (options.BadRecordPolicy == BadRecordPolicy.DeadLetter)
        {
            moved = MoveToDeadLetter(file);
        }

        _context?.ReportDropped(new RecordsDropped(Name, $"'{file}'", "could not be read: " + error.Message, null, Length(moved ?? file), options.BadRecordPolicy, moved, error), "unreadable");
    }

    private void Vanished(string file, Exception error)
    {
        var earlier = Path.Combine(_deadLetter, Path.GetFileName(file));
        if (options.BadRecordPolicy == BadRecordPolicy.DeadLetter && File.Exists(earlier))
        {
            // A replay of a batch whose earlier read set this file aside: the same outcome, already counted.
            _context?.ReportDropped(new RecordsDropped(Name, $"'{file}'", "was moved to the dead-letter directory by an earlier read of this batch", null, null, BadRecordPolicy.DeadLetter, earlier), "dead-lettered-earlier");
            return;
        }

        if (options.BadRecordPolicy == BadRecordPolicy.Fail)
        {
            throw new SourceException(Name, $"'{file}' no longer exists: it was deleted or moved after its batch was sealed. {PolicyHint}", error);
        }

        _context?.ReportDropped(new RecordsDropped(Name, $"'{file}'", "no longer exists: it was deleted or moved after its batch was sealed; its records are lost", null, null, options.BadRecordPolicy, null, error), "file-vanished");
    }

    private string PolicyHint =>
        $"Fix or remove the file, or set {nameof(TextFileStreamOptions)}.{nameof(TextFileStreamOptions.BadRecordPolicy)} to {nameof(BadRecordPolicy.Skip)} or {nameof(BadRecordPolicy.DeadLetter)} and restart to move on.";

    private string MoveToDeadLetter(string file)
    {
        try
        {
            Directory.CreateDirectory(_deadLetter);
            var name = Path.GetFileName(file);
            var target = Path.Combine(_deadLetter, name);
            for (var n = 1; File.Exists(target); n++)
            {
                target = Path.Combine(_deadLetter, $"{name}.{n}");
            }

            File.Move(file, target);
            return target;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new SourceException(Name, $"'{file}' is bad and could not be moved to the dead-letter directory '{_deadLetter}': {error.Message}", error);
        }
    }

    private static long? Length(string path)
    {
        try
        {
            return new FileInfo(path).Length;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The files of one batch; read when the batch runs, and again on a replay.</summary>
    internal sealed class SealedFiles(DirectoryTextSource source, IReadOnlyList<string> files) : ISealedInput
    {
        public IReadOnlyList<string> Files => files;

        public async ValueTask<Array> ReadAsync(CancellationToken cancellationToken)
        {
            var lines = new List<string>();
            foreach (var file in files)
            {
                await source.ReadFileAsync(file, lines, cancellationToken).ConfigureAwait(false);
            }

            return lines.ToArray();
        }
    }
}
