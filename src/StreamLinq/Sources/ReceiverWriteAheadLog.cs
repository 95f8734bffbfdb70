using System.Globalization;
using System.Text;
using System.Text.Json;
using StreamLinq.State.Codecs;

namespace StreamLinq.Sources;

/// <summary>
/// A receiver's write-ahead log: every record is appended, as one JSON line, to the open segment
/// file before the receiver acknowledges it; sealing a batch closes the segment (flushed to disk)
/// and opens the next. A batch pending at a crash is read back from its segment, and records
/// received after the last seal are loaded back into the receiver when the driver restarts.
/// </summary>
/// <remarks>
/// Each append is flushed to the operating system, which survives the death of the driver
/// process; a sealed segment is also flushed to disk. Records are written with
/// <see cref="StateCodecs"/>, which reads back exactly what it wrote, as every checkpointed value.
/// </remarks>
internal sealed class ReceiverWriteAheadLog<T> : IDisposable
{
    private const string Prefix = "segment-";
    private const string Extension = ".jsonl";
    private static readonly byte[] NewLine = "\n"u8.ToArray();
    private readonly string _directory;
    private FileStream? _writer;

    /// <summary>
    /// Opens the log at <paramref name="position"/> (the next segment to seal). Segments before it
    /// that no pending batch references were completed and are deleted; records of the segments
    /// from it on were acknowledged but never sealed into a checkpointed batch: they are returned
    /// in <paramref name="unsealed"/> and rewritten as the open segment.
    /// </summary>
    public ReceiverWriteAheadLog(string directory, long position, IReadOnlySet<long> referenced, out List<T> unsealed)
    {
        _directory = directory;
        Directory.CreateDirectory(directory);
        Open = position;
        var loaded = new List<T>();
        foreach (var (segment, path) in Segments())
        {
            if (segment < position)
            {
                if (!referenced.Contains(segment))
                {
                    File.Delete(path);
                }
            }
            else
            {
                loaded.AddRange(Read(path));
            }
        }

        if (loaded.Count > 0)
        {
            var temporary = PathOf(position) + ".tmp";
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write))
            {
                foreach (var record in loaded)
                {
                    StateCodecs.For<T>().Serialize(stream, record);
                    stream.Write(NewLine);
                }

                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, PathOf(position), overwrite: true);
        }

        foreach (var (segment, path) in Segments())
        {
            if (segment > position || (segment == position && loaded.Count == 0))
            {
                File.Delete(path);
            }
        }

        unsealed = loaded;
    }

    /// <summary>The number of the segment being written: the next one to be sealed.</summary>
    public long Open { get; private set; }

    public string PathOf(long segment) => Path.Combine(_directory, Prefix + segment.ToString("D12", CultureInfo.InvariantCulture) + Extension);

    /// <summary>Appends a record and flushes it to the operating system; the caller acknowledges it after.</summary>
    public void Append(T record)
    {
        _writer ??= new FileStream(PathOf(Open), FileMode.Append, FileAccess.Write, FileShare.Read);
        StateCodecs.For<T>().Serialize(_writer, record);
        _writer.Write(NewLine);
        _writer.Flush();
    }

    /// <summary>Closes the open segment (flushed to disk) and returns its number; the next one opens on the next append.</summary>
    public long Seal()
    {
        if (_writer is not null)
        {
            _writer.Flush(flushToDisk: true);
            _writer.Dispose();
            _writer = null;
        }

        return Open++;
    }

    /// <summary>Deletes a sealed segment whose batch a checkpoint has committed.</summary>
    public void Delete(long segment) => File.Delete(PathOf(segment));

    /// <summary>The records of a segment, in the order they were received; none when the segment is absent.</summary>
    public static List<T> Read(string path)
    {
        var records = new List<T>();
        if (!File.Exists(path))
        {
            return records;
        }

        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            if (line.Length == 0)
            {
                continue;
            }

            try
            {
                records.Add(StateCodecs.For<T>().Deserialize(line));
            }
            catch (JsonException error)
            {
                // A line cut short by the crash was never acknowledged: it is the last one.
                if (line == File.ReadLines(path).Last())
                {
                    break;
                }

                throw new InvalidDataException($"The write-ahead log segment '{path}' is corrupt at record {records.Count + 1}.", error);
            }
        }

        return records;
    }

    public void Dispose() => _writer?.Dispose();

    private IEnumerable<(long Segment, string Path)> Segments() =>
        Directory.EnumerateFiles(_directory, Prefix + "*" + Extension)
            .Select(path => (Name: Path.GetFileNameWithoutExtension(path)[Prefix.Length..], Path: path))
            .Where(s => long.TryParse(s.Name, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .Select(s => (long.Parse(s.Name, CultureInfo.InvariantCulture), s.Path))
            .OrderBy(s => s.Item1)
            .ToList();
}
