using System.Text;
using System.Text.Json;
using StreamLinq.Sources;

namespace StreamLinq.Connectors.Sample;

/// <summary>
/// A replayable, partitioned pull source over append-only text files, one file per partition and
/// one record per line: the offsets are byte positions, a batch's range is <c>[from, to)</c> per
/// file, and the position is each file's next byte. Producers append whole lines.
/// </summary>
/// <remarks>
/// Sealing fixes the range at once (the file's length, cut back to its last complete line and to
/// <see cref="FileLogOptions.MaxBytesPerBatch"/>): a local file answers without a server round
/// trip, so the generator never waits on a network. Reading a range again returns the same
/// lines as long as the files are only appended to.
/// </remarks>
public sealed class FileLogSource : IBatchSource<string>, IPartitionedSource
{
    private readonly string _directory;
    private readonly string[] _partitions;
    private readonly FileLogOptions _options;
    private readonly Dictionary<string, long> _positions;

    /// <summary>Commits of transactional outputs ahead of the position, oldest first: no batch crosses one.</summary>
    private readonly List<Dictionary<string, long>> _fences = [];

    /// <summary>Creates the source.</summary>
    /// <param name="directory">The directory holding the partition files.</param>
    /// <param name="partitions">The file names, one per partition; a missing file reads as empty.</param>
    /// <param name="options">Batch size; defaults when null.</param>
    public FileLogSource(string directory, IEnumerable<string> partitions, FileLogOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(partitions);
        _directory = Path.GetFullPath(directory);
        _partitions = partitions.ToArray();
        if (_partitions.Length == 0 || _partitions.Any(p => string.IsNullOrEmpty(p) || p != Path.GetFileName(p)) || _partitions.Distinct(StringComparer.Ordinal).Count() != _partitions.Length)
        {
            throw new ArgumentException("Give at least one partition file name, none empty, repeated or with a directory part.", nameof(partitions));
        }

        _options = options ?? new FileLogOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxBytesPerBatch, 1, nameof(options));
        _positions = _partitions.ToDictionary(p => p, _ => 0L, StringComparer.Ordinal);
    }

    /// <inheritdoc />
    public string Name => $"FileLog({string.Join(",", _partitions)})";

    /// <inheritdoc />
    public IReadOnlyList<string> Partitions => _partitions;

    /// <inheritdoc />
    public bool IsReplayable => true;

    /// <inheritdoc />
    public bool HasPending => _partitions.Any(p => Length(p) > _positions[p]);

    /// <inheritdoc />
    public string StateId => Name;

    /// <inheritdoc />
    public int StateVersion => 1;

    /// <inheritdoc />
    public Task StartAsync(SourceContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public ISealedInput Seal(BatchTime time)
    {
        var fence = NextFence();
        var ranges = new List<PartitionRange>(_partitions.Length);
        foreach (var partition in _partitions)
        {
            var from = _positions[partition];
            long? limit = fence is null ? null : fence.GetValueOrDefault(partition);
            if (limit <= from)
            {
                // At its end of the next commit: it waits there until every partition is at its
                // own, so that no batch holds records both inside and after that commit.
                ranges.Add(new PartitionRange(partition, from, from));
                continue;
            }

            var end = Math.Min(Length(partition), from + _options.MaxBytesPerBatch);
            if (limit is { } fenceEnd && fenceEnd <= end)
            {
                end = fenceEnd; // a committed range's end is a line's end
            }
            else
            {
                end = LastLineEnd(partition, from, end);
            }

            ranges.Add(new PartitionRange(partition, from, end));
        }

        foreach (var range in ranges)
        {
            _positions[range.Partition] = range.To;
        }

        return new SealedRange(this, ranges);
    }

    /// <inheritdoc />
    public void WriteState(Utf8JsonWriter writer) =>
        PartitionPositions.Write(writer, _positions, (w, partition, offset) => w.WriteNumber(partition, offset));

    /// <inheritdoc />
    public void ReadState(JsonElement state, int version) =>
        PartitionPositions.Read(this, state, version, _positions, offset => offset.GetInt64());

    /// <inheritdoc />
    public void WriteRange(ISealedInput input, Utf8JsonWriter writer)
    {
        writer.WriteStartArray();
        foreach (var range in ((SealedRange)input).Ranges)
        {
            writer.WriteStartObject();
            writer.WriteString("partition", range.Partition);
            writer.WriteNumber("from", range.From);
            writer.WriteNumber("to", range.To);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <inheritdoc />
    public ISealedInput ReadRange(JsonElement range) => new SealedRange(this, ParseRanges(range, "a pending batch's range"));

    /// <inheritdoc />
    public RangeOrder Compare(ISealedInput input, JsonElement committed)
    {
        var ends = ParseRanges(committed, "a committed range").ToDictionary(r => r.Partition, r => r.To, StringComparer.Ordinal);
        return RangeOrders.Combine(((SealedRange)input).Ranges.Select(range =>
        {
            var end = ends.GetValueOrDefault(range.Partition);
            return range.From == range.To ? RangeOrder.Empty
                : range.To <= end ? RangeOrder.Committed
                : range.From >= end ? RangeOrder.After
                : RangeOrder.Straddles;
        }));
    }

    /// <inheritdoc />
    public void ResumeAfter(IReadOnlyList<JsonElement?> committed)
    {
        var ends = committed
            .Select(c => c is { } range ? ParseRanges(range, "a committed range").ToDictionary(r => r.Partition, r => r.To, StringComparer.Ordinal) : [])
            .ToList();
        foreach (var partition in _partitions)
        {
            // An output that committed nothing of a partition holds it back to where it is.
            var earliest = ends.Select(e => e.GetValueOrDefault(partition)).DefaultIfEmpty(0).Min();
            _positions[partition] = Math.Max(_positions[partition], earliest);
        }

        _fences.Clear();
        _fences.AddRange(ends.Where(end => _partitions.Any(p => end.GetValueOrDefault(p) > _positions[p])));

        // The commits of one history: a later one is at or after an earlier one in every partition.
        _fences.Sort((x, y) => _partitions.Select(p => x.GetValueOrDefault(p).CompareTo(y.GetValueOrDefault(p))).FirstOrDefault(c => c != 0));
    }

    private Dictionary<string, long>? NextFence()
    {
        while (_fences.Count > 0 && _partitions.All(p => _fences[0].GetValueOrDefault(p) <= _positions[p]))
        {
            _fences.RemoveAt(0);
        }

        return _fences.Count > 0 ? _fences[0] : null;
    }

    private List<PartitionRange> ParseRanges(JsonElement ranges, string what)
    {
        try
        {
            var parsed = ranges.EnumerateArray().Select(r => new PartitionRange(
                r.GetProperty("partition").GetString()!,
                r.GetProperty("from").GetInt64(),
                r.GetProperty("to").GetInt64())).ToList();
            if (parsed.Any(r => !_positions.ContainsKey(r.Partition) || r.From < 0 || r.To < r.From))
            {
                throw new FormatException("unknown partition or negative range");
            }

            return parsed;
        }
        catch (Exception error) when (error is InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new InvalidDataException($"{Name}: {what} is malformed: {ranges.GetRawText()}", error);
        }
    }

    private string PathOf(string partition) => Path.Combine(_directory, partition);

    private long Length(string partition)
    {
        var file = new FileInfo(PathOf(partition));
        return file.Exists ? file.Length : 0;
    }

    /// <summary>The end of the last complete line in <c>[from, end)</c>; <paramref name="from"/> when there is none.</summary>
    private long LastLineEnd(string partition, long from, long end)
    {
        if (end <= from)
        {
            return from;
        }

        using var file = new FileStream(PathOf(partition), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var buffer = new byte[4096];
        for (var chunkEnd = end; chunkEnd > from;)
        {
            var chunkStart = Math.Max(from, chunkEnd - buffer.Length);
            file.Position = chunkStart;
            var length = (int)(chunkEnd - chunkStart);
            file.ReadExactly(buffer, 0, length);
            var newline = Array.LastIndexOf(buffer, (byte)'\n', length - 1, length);
            if (newline >= 0)
            {
                return chunkStart + newline + 1;
            }

            chunkEnd = chunkStart;
        }

        return from;
    }

    private async Task<string[]> ReadAsync(IReadOnlyList<PartitionRange> ranges, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        foreach (var range in ranges.Where(r => r.To > r.From))
        {
            var bytes = new byte[range.To - range.From];
            try
            {
                await using var file = new FileStream(PathOf(range.Partition), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, useAsync: true);
                file.Position = range.From;
                await file.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                // EndOfStreamException is an IOException: the file was cut below the range.
                throw new SourceException(Name, $"cannot read '{range.Partition}' bytes [{range.From}, {range.To}): {error.Message}", error) { IsTransient = error is not EndOfStreamException and not FileNotFoundException };
            }

            if (bytes[^1] != (byte)'\n')
            {
                throw new SourceException(Name, $"'{range.Partition}' bytes [{range.From}, {range.To}) no longer end a line: the file was rewritten, not appended to.");
            }

            lines.AddRange(Encoding.UTF8.GetString(bytes, 0, bytes.Length - 1).Split('\n'));
        }

        return [.. lines];
    }

    /// <summary>One partition's share of a batch: bytes <c>[From, To)</c>.</summary>
    private sealed record PartitionRange(string Partition, long From, long To);

    /// <summary>A batch's ranges; read on demand, and the same lines every time.</summary>
    private sealed class SealedRange(FileLogSource source, IReadOnlyList<PartitionRange> ranges) : ISealedInput
    {
        private string[]? _lines;

        public IReadOnlyList<PartitionRange> Ranges => ranges;

        public async ValueTask<Array> ReadAsync(CancellationToken cancellationToken) =>
            _lines ??= await source.ReadAsync(ranges, cancellationToken).ConfigureAwait(false);
    }
}
