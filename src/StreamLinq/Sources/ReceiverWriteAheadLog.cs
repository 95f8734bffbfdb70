using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using StreamLinq.Checkpointing;
using StreamLinq.State.Codecs;

namespace StreamLinq.Sources;

/// <summary>
/// A receiver's write-ahead log: every record is appended, as one checksummed JSON line, to the
/// open segment file before the receiver acknowledges it; sealing a batch closes the segment with
/// a trailer (record count and SHA-256, flushed to disk) and opens the next. A batch pending at a
/// crash is read back from its segments, and records received after the last checkpointed seal are
/// loaded back into the receiver when the driver restarts.
/// </summary>
/// <remarks>
/// <para>Segment format: a header line <c>STREAMLINQ-WAL 1 &lt;segment&gt;</c>; one line per record,
/// <c>&lt;CRC-32C of the JSON, hex&gt; &lt;JSON&gt;</c>; once sealed, a trailer
/// <c>SEALED &lt;count&gt; &lt;SHA-256 over the record lines' CRC-32Cs&gt;</c> (one hash per seal, not
/// per record: the hardware CRC keeps an append's cost near that of the write itself). The next segment is created before
/// the trailer is written, so a sealed segment always has a successor: a missing segment between the
/// checkpoint's position and the newest one is seen, whichever it is. The checkpoint holds each
/// pending batch's segments with their counts and hashes.</para>
/// <para>A missing or damaged segment is an error naming it, unless
/// <see cref="ReceiverOptions.DamagedLogPolicy"/> accepts the loss: then it is reported to
/// <see cref="IStreamingListener.OnRecordsDropped"/> and counted. Only a last line cut short with
/// no newline, in the segment that was open at the crash, is dropped without a report: the record
/// was never acknowledged.</para>
/// <para>Records are written with <see cref="StateCodecs"/>, which reads back exactly what it
/// wrote, as every checkpointed value; a record whose type changed since it was written fails with
/// an <see cref="InvalidDataException"/> naming the type.</para>
/// <para>Files are owner-only on Unix. Each append is flushed to the operating system, which
/// survives the death of the driver process; a sealed segment is also flushed to disk.</para>
/// </remarks>
internal sealed class ReceiverWriteAheadLog<T> : IDisposable
{
    private const string Prefix = "segment-";
    private const string Extension = ".jsonl";
    private const string Magic = "STREAMLINQ-WAL";
    private const string Trailer = "SEALED ";
    private readonly string _directory;
    private readonly string _source;
    private readonly BadRecordPolicy _policy;
    private readonly Action<RecordsDropped, string> _report;
    private readonly List<SegmentSeal> _carried = [];
    private FileStream? _writer;
    private readonly LineDigest _digest = new();
    private int _count;

    /// <summary>
    /// Opens the log. <paramref name="position"/> is the checkpoint's first segment not in a
    /// checkpointed batch (null without a checkpoint: from the oldest segment there is). Segments
    /// before it that no pending batch references are listed in <see cref="Completed"/>; segments from
    /// it on hold records acknowledged but never checkpointed in a batch: they are verified, sealed if
    /// a crash left one open, and returned in <paramref name="unsealed"/>, to be part of the next batch.
    /// <paramref name="expectPosition"/> says the segment at the position must exist (this format
    /// creates it before any checkpoint can name it).
    /// </summary>
    /// <exception cref="InvalidDataException">A segment is missing or damaged and the policy is <see cref="BadRecordPolicy.Fail"/>; the message names it.</exception>
    public ReceiverWriteAheadLog(string directory, string source, long? position, bool expectPosition, IReadOnlySet<long> referenced, BadRecordPolicy policy, Action<RecordsDropped, string> report, out List<T> unsealed)
    {
        _directory = directory;
        _source = source;
        _policy = policy;
        _report = report;
        OwnerOnlyFiles.CreateDirectory(directory);
        var segments = Segments();
        var start = Start = position ?? LastRunStart(segments);
        Completed = segments.Keys.Where(s => s < start && !referenced.Contains(s)).ToList();
        foreach (var missing in referenced.Where(s => s < start && !segments.ContainsKey(s)))
        {
            Lost(missing, "is missing, but a pending batch of the checkpoint reads it", null);
        }

        var loaded = new List<T>();
        var last = segments.Keys.DefaultIfEmpty(-1).Max();
        var expected = position is not null && expectPosition;
        var read = segments.Keys.Where(s => s >= start).ToDictionary(s => s, s => ReadSegment(s, expected: null));
        var next = start;
        for (; next <= last || expected; next++)
        {
            if (!segments.ContainsKey(next))
            {
                Lost(next, next > last
                    ? "is missing: the segment before it was sealed, or the checkpoint's position points at it"
                    : $"is missing, yet segment {last} after it exists", null);
                expected = false;
                continue;
            }

            var contents = read[next];
            if (!contents.Sealed && !contents.Legacy && next < last && !(next == last - 1 && read[last] is { Sealed: false, Records.Count: 0 }))
            {
                // Only the crash leaves a segment open: the last one, or the one before an empty last
                // one (the successor is created before the trailer is written).
                Damaged(next, "has lost its trailer although later segments hold records: it was sealed, then cut short", null);
            }

            loaded.AddRange(contents.Records);
            expected = contents.Sealed;
            _carried.Add(contents.Sealed ? new SegmentSeal(next, contents.TrailerCount, contents.TrailerHash!) : SealInPlace(next, contents.Records));
        }

        Open = Math.Max(next, segments.Keys.DefaultIfEmpty(-1).Max() + 1);
        StartSegment(Open);
        unsealed = loaded;
    }

    /// <summary>Segments before the position that no pending batch reads: to delete once no kept checkpoint needs them.</summary>
    public IReadOnlyList<long> Completed { get; }

    /// <summary>The first segment in no sealed batch when the log opened: the receiver's position until its next seal.</summary>
    public long Start { get; }

    /// <summary>The number of the segment being written: the next one to be sealed.</summary>
    public long Open { get; private set; }

    public string PathOf(long segment) => Path.Combine(_directory, Prefix + segment.ToString("D12", CultureInfo.InvariantCulture) + Extension);

    /// <summary>Appends a record and flushes it to the operating system; the caller acknowledges it after.</summary>
    public void Append(T record)
    {
        var line = RecordLine(record);
        _writer!.Write(line);
        _writer.Flush();
        _digest.Add(line);
        _count++;
    }

    /// <summary>
    /// Seals the open segment (trailer, flushed to disk) after creating the next one, and returns
    /// every segment sealed since the previous call: the segments a restart carried over, then this one.
    /// </summary>
    public List<SegmentSeal> Seal()
    {
        var sealedNow = new SegmentSeal(Open, _count, _digest.Finish());
        var writer = _writer!;
        StartSegment(Open + 1);
        writer.Write(Encoding.ASCII.GetBytes($"{Trailer}{sealedNow.Count} {sealedNow.Hash}\n"));
        writer.Flush(flushToDisk: true);
        writer.Dispose();
        Open++;
        List<SegmentSeal> seals = [.. _carried, sealedNow];
        _carried.Clear();
        return seals;
    }

    /// <summary>A record's line: the CRC-32C of its JSON in hex, a space, the JSON, a newline.</summary>
    private static byte[] RecordLine(T record)
    {
        var json = StateCodecs.For<T>().SerializeToUtf8Bytes(record);
        var line = new byte[8 + 1 + json.Length + 1];
        LineDigest.WriteHex(LineDigest.Crc32C(json), line);
        line[8] = (byte)' ';
        json.CopyTo(line, 9);
        line[^1] = (byte)'\n';
        return line;
    }

    /// <summary>Deletes a segment no kept checkpoint needs any more.</summary>
    public void Delete(long segment) => File.Delete(PathOf(segment));

    /// <summary>
    /// The records of a sealed segment a pending batch reads, verified against the count and hash the
    /// checkpoint holds (when it holds them). A missing or damaged segment fails under
    /// <see cref="BadRecordPolicy.Fail"/>, else it gives what verifies and reports the rest.
    /// </summary>
    public List<T> ReadSealed(SegmentSeal seal) => ReadSegment(seal.Segment, seal).Records;

    public void Dispose()
    {
        _writer?.Dispose();
    }

    private void StartSegment(long segment)
    {
        var path = PathOf(segment);
        var stream = new FileStream(path, OwnerOnlyFiles.Options(FileMode.Create, FileAccess.Write, FileShare.Read));
        stream.Write(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Magic} 1 {segment}\n")));
        stream.Flush();
        _writer = stream;
        _digest.Finish();
        _count = 0;
    }

    /// <summary>Rewrites a segment a crash left open with its trailer (temporary file, renamed), dropping a torn last line.</summary>
    private SegmentSeal SealInPlace(long segment, List<T> records)
    {
        var digest = new LineDigest();
        var temporary = PathOf(segment) + ".tmp";
        using (var stream = new FileStream(temporary, OwnerOnlyFiles.Options(FileMode.Create, FileAccess.Write, FileShare.None)))
        {
            stream.Write(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Magic} 1 {segment}\n")));
            foreach (var record in records)
            {
                var line = RecordLine(record);
                stream.Write(line);
                digest.Add(line);
            }

            var seal = new SegmentSeal(segment, records.Count, digest.Finish());
            stream.Write(Encoding.ASCII.GetBytes($"{Trailer}{seal.Count} {seal.Hash}\n"));
            stream.Flush(flushToDisk: true);
            stream.Close();
            File.Move(temporary, PathOf(segment), overwrite: true);
            return seal;
        }
    }

    private SegmentContents ReadSegment(long segment, SegmentSeal? expected)
    {
        var path = PathOf(segment);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException)
        {
            Lost(segment, "is missing, but a pending batch reads it", expected?.Count);
            return new SegmentContents([], true, 0, null);
        }

        var lines = new List<ReadOnlyMemory<byte>>();
        for (ReadOnlyMemory<byte> rest = bytes; !rest.IsEmpty;)
        {
            var end = rest.Span.IndexOf((byte)'\n');
            lines.Add(end < 0 ? rest : rest[..end]);
            rest = end < 0 ? ReadOnlyMemory<byte>.Empty : rest[(end + 1)..];
        }

        var tornTail = bytes.Length > 0 && bytes[^1] != (byte)'\n';
        if (lines.Count == 0 || !Encoding.ASCII.GetString(lines[0].Span).StartsWith(Magic + " 1 ", StringComparison.Ordinal))
        {
            return ReadLegacy(segment, lines, tornTail);
        }

        var records = new List<T>();
        var damaged = 0;
        int? trailerCount = null;
        string? trailerHash = null;
        var digest = new LineDigest();
        for (var i = 1; i < lines.Count; i++)
        {
            var line = lines[i].Span;
            if (line.StartsWith(Encoding.ASCII.GetBytes(Trailer)) && i == lines.Count - 1 && !tornTail)
            {
                var fields = Encoding.ASCII.GetString(line[Trailer.Length..]).Split(' ');
                if (fields.Length == 2 && int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                {
                    trailerCount = count;
                    trailerHash = fields[1];
                    continue;
                }
            }

            if (TryParse(line, out var record))
            {
                records.Add(record);
                digest.Add(line);
            }
            else if (i == lines.Count - 1 && tornTail)
            {
                // Cut short by the crash while being written: never acknowledged.
            }
            else
            {
                damaged++;
                Damaged(segment, $"record line {i + 1} fails its checksum or does not parse", 1);
            }
        }

        var computed = digest.Finish();
        if (trailerCount is { } sealedCount && damaged == 0 && (sealedCount != records.Count || trailerHash != computed))
        {
            Damaged(segment, $"holds {records.Count} records that do not match its trailer ({sealedCount} records and their SHA-256)", Math.Abs(sealedCount - records.Count));
        }

        if (expected is { Hash.Length: > 0 } seal && trailerCount is not null && damaged == 0 && (seal.Count != trailerCount || seal.Hash != trailerHash))
        {
            Damaged(segment, $"is not the segment the checkpoint recorded ({seal.Count} records and their SHA-256)", Math.Abs(seal.Count - records.Count));
        }
        else if (expected is { } wanted && trailerCount is null)
        {
            Damaged(segment, $"has lost its trailer; the checkpoint recorded {wanted.Count} records", Math.Max(0, wanted.Count - records.Count));
        }

        return new SegmentContents(records, trailerCount is not null, trailerCount ?? records.Count, trailerHash);
    }

    /// <summary>A segment written before segments had headers and checksums: plain JSON lines.</summary>
    private SegmentContents ReadLegacy(long segment, List<ReadOnlyMemory<byte>> lines, bool tornTail)
    {
        var records = new List<T>();
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].IsEmpty)
            {
                continue;
            }

            try
            {
                records.Add(StateCodecs.For<T>().Deserialize(lines[i].Span));
            }
            catch (JsonException) when (i == lines.Count - 1 && tornTail)
            {
            }
            catch (JsonException)
            {
                Damaged(segment, $"record line {i + 1} does not parse", 1);
            }
        }

        return new SegmentContents(records, false, records.Count, null, Legacy: true);
    }

    private static bool TryParse(ReadOnlySpan<byte> line, out T record)
    {
        record = default!;
        if (line.Length < 10 || line[8] != (byte)' ')
        {
            return false;
        }

        var json = line[9..];
        Span<byte> hex = stackalloc byte[8];
        LineDigest.WriteHex(LineDigest.Crc32C(json), hex);
        if (!hex.SequenceEqual(line[..8]))
        {
            return false;
        }

        try
        {
            record = StateCodecs.For<T>().Deserialize(json);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private void Lost(long segment, string what, long? records) => Damaged(segment, what, records);

    private void Damaged(long segment, string what, long? records)
    {
        var path = PathOf(segment);
        if (_policy == BadRecordPolicy.Fail)
        {
            throw new InvalidDataException($"{_source}: the write-ahead log segment '{path}' {what}. Acknowledged records would be lost; restore the segment, or set {nameof(ReceiverOptions)}.{nameof(ReceiverOptions.DamagedLogPolicy)} to {nameof(BadRecordPolicy.Skip)} to accept the loss.");
        }

        string? kept = null;
        if (_policy == BadRecordPolicy.DeadLetter && File.Exists(path))
        {
            var deadLetter = Path.Combine(_directory, "dead-letter");
            OwnerOnlyFiles.CreateDirectory(deadLetter);
            kept = Path.Combine(deadLetter, Path.GetFileName(path));
            File.Copy(path, kept, overwrite: true);
        }

        _report(new RecordsDropped(_source, $"write-ahead log segment '{path}'", $"{what}; its lost records are counted, not replayed", records, null, _policy, kept), "log-damaged");
    }

    /// <summary>
    /// Without a checkpoint nothing says where the log begins: from the first segment of the last
    /// unbroken run (a failed batch's segment can outlive later ones that were deleted).
    /// </summary>
    private static long LastRunStart(SortedDictionary<long, string> segments)
    {
        var start = 0L;
        var previous = long.MinValue;
        foreach (var segment in segments.Keys)
        {
            if (segment != previous + 1)
            {
                start = segment;
            }

            previous = segment;
        }

        return start;
    }

    private SortedDictionary<long, string> Segments()
    {
        var segments = new SortedDictionary<long, string>();
        foreach (var path in Directory.EnumerateFiles(_directory, Prefix + "*" + Extension))
        {
            if (long.TryParse(Path.GetFileNameWithoutExtension(path)[Prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var segment))
            {
                segments[segment] = path;
            }
        }

        return segments;
    }

    private readonly record struct SegmentContents(List<T> Records, bool Sealed, int TrailerCount, string? TrailerHash, bool Legacy = false);
}

/// <summary>The checksums of a segment: a CRC-32C per record line, and a SHA-256 over them for the whole segment.</summary>
internal sealed class LineDigest
{
    private readonly System.Buffers.ArrayBufferWriter<byte> _crcs = new();

    /// <summary>Adds a record line (checksum, space, JSON, newline) to the segment's digest.</summary>
    public void Add(ReadOnlySpan<byte> line)
    {
        var json = line[9..];
        if (!json.IsEmpty && json[^1] == (byte)'\n')
        {
            json = json[..^1];
        }

        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(_crcs.GetSpan(4), Crc32C(json));
        _crcs.Advance(4);
    }

    /// <summary>The SHA-256 (hex) over the lines added since the last call, and a fresh start.</summary>
    public string Finish()
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(_crcs.WrittenSpan));
        _crcs.ResetWrittenCount();
        return hash;
    }

    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var crc = ~0u;
        for (; data.Length >= 8; data = data[8..])
        {
            crc = System.Numerics.BitOperations.Crc32C(crc, System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(data));
        }

        foreach (var b in data)
        {
            crc = System.Numerics.BitOperations.Crc32C(crc, b);
        }

        return ~crc;
    }

    /// <summary>Writes <paramref name="value"/> as 8 lowercase hex digits.</summary>
    public static void WriteHex(uint value, Span<byte> destination)
    {
        for (var i = 7; i >= 0; i--, value >>= 4)
        {
            destination[i] = (byte)"0123456789abcdef"[(int)(value & 0xF)];
        }
    }
}

/// <summary>A sealed write-ahead log segment as a checkpoint records it.</summary>
/// <param name="Segment">Its number.</param>
/// <param name="Count">How many records it holds.</param>
/// <param name="Hash">The SHA-256 of its record lines' CRC-32Cs (hex); empty when written by an engine that did not record it.</param>
internal sealed record SegmentSeal(long Segment, int Count, string Hash);
