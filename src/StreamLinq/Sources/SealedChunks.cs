namespace StreamLinq.Sources;

/// <summary>
/// A receiver's sealed batch: ranges of pooled chunks, handed to the batch as its segments
/// without copying. The chunks go back to the pool when the batch releases its records (after
/// its outputs ran); reads after the first return the same records, as
/// <see cref="ISealedInput.ReadAsync"/> requires of a retry.
/// </summary>
internal sealed class SealedChunks<T>(T[] prefix, List<ChunkRange<T>> ranges, int count) : ISealedInput
{
    private readonly Lock _gate = new();
    private BatchRecords<T>? _records;

    /// <summary>
    /// The seal of no record, one for every empty batch: its records, made once, are an empty
    /// array with nothing to release, which any number of batches may read at once.
    /// </summary>
    public static SealedChunks<T> Empty { get; } = new([], [], 0);

    /// <summary>How many records the batch holds.</summary>
    public int Count => count;

    public BatchRecords<T> Records()
    {
        lock (_gate)
        {
            if (_records is { } done)
            {
                return done;
            }

            var segments = new ReadOnlyMemory<T>[ranges.Count + 1];
            segments[0] = prefix;
            for (var r = 0; r < ranges.Count; r++)
            {
                segments[r + 1] = ranges[r].Chunk.Memory(ranges[r].Start, ranges[r].End);
            }

            return _records = new BatchRecords<T>(segments, ranges.Count == 0 ? null : ReleaseChunks);
        }
    }

    public ValueTask<Array> ReadAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Records().ToArray());

    public ValueTask<BatchRecords> ReadRecordsAsync(CancellationToken cancellationToken) => ValueTask.FromResult<BatchRecords>(Records());

    private void ReleaseChunks()
    {
        foreach (var range in ranges)
        {
            range.Chunk.Release();
        }
    }
}
