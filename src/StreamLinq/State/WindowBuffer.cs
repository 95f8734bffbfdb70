using System.Text.Json;

namespace StreamLinq.State;

/// <summary>
/// The per-batch contents a window still covers: one entry per batch time, oldest first. A
/// window node adds the entering batch and evicts the batches that slid out; a checkpoint
/// writes the entries as plain data.
/// </summary>
/// <typeparam name="TPartial">What is kept per batch: its records, or a partial aggregate of them.</typeparam>
internal sealed class WindowBuffer<TPartial>
{
    private readonly LinkedList<(long Ticks, TPartial Partial)> _batches = new();

    public int Count => _batches.Count;

    /// <summary>The partials, oldest batch first.</summary>
    public IEnumerable<TPartial> Partials => _batches.Select(b => b.Partial);

    /// <summary>
    /// Adds the partial of batch <paramref name="time"/>. A replayed batch replaces its earlier
    /// entry, so a batch recomputed after a restore is counted once.
    /// </summary>
    /// <returns>The partial it replaced, if the batch was already present.</returns>
    public (bool Replaced, TPartial? Previous) Add(BatchTime time, TPartial partial)
    {
        for (var node = _batches.Last; node is not null; node = node.Previous)
        {
            if (node.Value.Ticks == time.Ticks)
            {
                var previous = node.Value.Partial;
                node.Value = (time.Ticks, partial);
                return (true, previous);
            }

            if (node.Value.Ticks < time.Ticks)
            {
                _batches.AddAfter(node, (time.Ticks, partial));
                return (false, default);
            }
        }

        _batches.AddFirst((time.Ticks, partial));
        return (false, default);
    }

    /// <summary>Removes and returns the partials of the batches at or before <paramref name="ticks"/>, oldest first.</summary>
    public List<TPartial> EvictThrough(long ticks)
    {
        var evicted = new List<TPartial>();
        while (_batches.First is { } first && first.Value.Ticks <= ticks)
        {
            evicted.Add(first.Value.Partial);
            _batches.RemoveFirst();
        }

        return evicted;
    }

    public void Clear() => _batches.Clear();

    /// <summary>Writes <c>[{ "time": ticks, "partial": ... }, ...]</c>.</summary>
    public void Write(Utf8JsonWriter writer, Action<Utf8JsonWriter, TPartial> writePartial)
    {
        writer.WriteStartArray();
        foreach (var (ticks, partial) in _batches)
        {
            writer.WriteStartObject();
            writer.WriteNumber("time", ticks);
            writer.WritePropertyName("partial");
            writePartial(writer, partial);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>Replaces the contents with those <see cref="Write"/> wrote.</summary>
    /// <exception cref="InvalidDataException">The data is not such an array.</exception>
    public void Read(JsonElement batches, Func<JsonElement, TPartial> readPartial)
    {
        if (batches.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException("A window's state must be an array of batches.");
        }

        _batches.Clear();
        foreach (var batch in batches.EnumerateArray())
        {
            if (!batch.TryGetProperty("time", out var time) || !batch.TryGetProperty("partial", out var partial))
            {
                throw new InvalidDataException("A window's batch entry needs 'time' and 'partial'.");
            }

            Add(new BatchTime(time.GetInt64()), readPartial(partial));
        }
    }
}
