using System.Buffers;
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
/// Files are streamed a buffer at a time, line by line (<see cref="Utf8Lines"/>), so a batch holds
/// its records and one read buffer, never a whole file's bytes. A file that cannot be read is handled
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

    public Task StartAsync(SourceContext context, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(directory))
        {
            return Task.FromException(new DirectoryNotFoundException($"{Name}: the directory '{directory}' does not exist."));
        }

        _context = context;
        return Task.CompletedTask;
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
    private void ReadFile(string file, List<string> lines, CancellationToken cancellationToken)
    {
        var first = lines.Count;
        FileStream stream;
        try
        {
            // No FileStream buffer: ReadLines holds the only one.
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
            using (stream)
            {
                bad = ReadLines(file, stream, lines, cancellationToken);
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
    /// Splits the file into lines and decodes each, a buffer at a time; under
    /// <see cref="BadRecordPolicy.Skip"/> a bad line is reported and left out, otherwise the first
    /// bad line stops the read and is returned.
    /// </summary>
    /// <remarks>
    /// Synchronous reads into one rented buffer (doubled only for a line longer than it): a local
    /// file read does not wait long, and an asynchronous read per buffer costs a thread-pool hop
    /// each, which made a large file half again slower under load.
    /// </remarks>
    private BadLine? ReadLines(string file, Stream stream, List<string> lines, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(options.ReadBufferSize);
        var held = 0;           // bytes of an unfinished line at the start of the buffer
        var lineNumber = 0L;
        var offset = 0L;
        var start = true;
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (held == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, held).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = stream.Read(buffer, held, buffer.Length - held);
                var data = buffer.AsSpan(0, held + read);
                if (start && (data.Length >= Utf8Bom.Length || read == 0))
                {
                    start = false;
                    if (data.StartsWith(Utf8Bom))
                    {
                        data = data[Utf8Bom.Length..];
                        offset = Utf8Bom.Length;
                    }
                }
                else if (start)
                {
                    held = data.Length;
                    continue;
                }

                var consumed = TakeLines(file, data, ref lineNumber, ref offset, lines, out var bad);
                if (bad is not null)
                {
                    return bad;
                }

                var rest = data[consumed..];
                if (read == 0)
                {
                    return rest.IsEmpty ? null : Add(file, new ReadOnlySequence<byte>(rest.ToArray()), ++lineNumber, offset, lines);
                }

                rest.CopyTo(buffer);
                held = rest.Length;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Adds the complete lines of <paramref name="span"/>; returns how many bytes they took.</summary>
    private int TakeLines(string file, ReadOnlySpan<byte> span, ref long lineNumber, ref long offset, List<string> lines, out BadLine? bad)
    {
        var consumed = 0;
        bad = null;
        for (int end; (end = span[consumed..].IndexOf((byte)'\n')) >= 0;)
        {
            var raw = span.Slice(consumed, end);
            lineNumber++;
            if (Utf8Lines.TryDecode(Utf8Lines.TrimTerminator(raw), out var text, out var badOffset))
            {
                lines.Add(text);
            }
            else if ((bad = Bad(file, lineNumber, offset, badOffset, raw.Length)) is not null)
            {
                return consumed;
            }

            consumed += end + 1;
            offset += end + 1;
        }

        return consumed;
    }

    private BadLine? Add(string file, ReadOnlySequence<byte> raw, long lineNumber, long offset, List<string> lines)
    {
        if (Utf8Lines.TryDecode(Utf8Lines.TrimTerminator(raw), out var text, out var badOffset))
        {
            lines.Add(text);
            return null;
        }

        return Bad(file, lineNumber, offset, badOffset, raw.Length);
    }

    /// <summary>Under <see cref="BadRecordPolicy.Skip"/> reports the line and returns null (read on); otherwise returns it.</summary>
    private BadLine? Bad(string file, long lineNumber, long offset, long badOffset, long length)
    {
        var bad = new BadLine(lineNumber, offset + badOffset, length);
        if (options.BadRecordPolicy != BadRecordPolicy.Skip)
        {
            return bad;
        }

        _context?.ReportDropped(new RecordsDropped(Name, $"'{file}' line {bad.Number} (byte {bad.Offset})", "not valid UTF-8; the line was left out", 1, length, BadRecordPolicy.Skip), "invalid-utf8");
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

        public ValueTask<Array> ReadAsync(CancellationToken cancellationToken)
        {
            try
            {
                var lines = new List<string>();
                foreach (var file in files)
                {
                    source.ReadFile(file, lines, cancellationToken);
                }

                return ValueTask.FromResult<Array>(lines.ToArray());
            }
            catch (Exception error)
            {
                return ValueTask.FromException<Array>(error);
            }
        }
    }
}
