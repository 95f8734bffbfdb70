namespace StreamLinq.Sources;

/// <summary>
/// A receiver's sealed batch: ranges of pooled chunks, copied into one array the first time the
/// batch reads them (on the batch runner's thread, not the generator's, so a seal stays a few
/// pointer reads), after which the chunks go back to the pool. Reads after the first return the
/// same array, as <see cref="ISealedInput.ReadAsync"/> requires of a retry.
/// </summary>
internal sealed class SealedChunks<T>(T[] prefix, List<ChunkRange<T>> ranges, int count) : ISealedInput
{
    private readonly Lock _gate = new();
    private List<ChunkRange<T>>? _ranges = ranges;
    private T[]? _records;

    /// <summary>How many records the batch holds.</summary>
    public int Count => count;

    public T[] Read()
    {
        lock (_gate)
        {
            if (_records is { } done)
            {
                return done;
            }

            var records = count == 0 ? [] : new T[count];
            prefix.CopyTo(records, 0);
            var offset = prefix.Length;
            foreach (var range in _ranges!)
            {
                range.Chunk.Slice(range.Start, range.End).CopyTo(records.AsSpan(offset));
                offset += range.Length;
                range.Chunk.Release();
            }

            _ranges = null;
            _records = records;
            return records;
        }
    }

    public ValueTask<Array> ReadAsync(CancellationToken cancellationToken) => ValueTask.FromResult<Array>(Read());
}
