using System.Text.Json;
using StreamLinq.State.Codecs;

namespace StreamLinq.State;

// Keys may be null, as in LINQ's GroupBy; a null key is held apart and never reaches the
// dictionary, so the dictionary's notnull constraint holds at run time.
#pragma warning disable CS8714

/// <summary>
/// A keyed state store: one value per key, a null key allowed, in the order keys were added (a
/// key removed and added again goes last). Written to checkpoints as
/// <c>[{ "key": ..., "value": ... }, ...]</c> in that order through <see cref="StateCodecs"/>, so
/// a restored store holds the same keys and values and yields them in the same order, before and
/// after later changes.
/// </summary>
internal sealed class KeyedStateStore<TKey, TValue>
{
    private readonly Dictionary<TKey, int> _index = [];
    private readonly List<Entry> _entries = [];
    private int _nullIndex = -1;
    private int _removed;

    public int Count => _entries.Count - _removed;

    public bool TryGetValue(TKey key, out TValue value)
    {
        if (IndexOf(key) is var at and >= 0)
        {
            value = _entries[at].Value;
            return true;
        }

        value = default!;
        return false;
    }

    public void Set(TKey key, TValue value)
    {
        if (IndexOf(key) is var at and >= 0)
        {
            _entries[at] = new Entry(key, value, Live: true);
            return;
        }

        if (key is null)
        {
            _nullIndex = _entries.Count;
        }
        else
        {
            _index[key] = _entries.Count;
        }

        _entries.Add(new Entry(key, value, Live: true));
    }

    public bool Remove(TKey key)
    {
        var at = IndexOf(key);
        if (at < 0)
        {
            return false;
        }

        if (key is null)
        {
            _nullIndex = -1;
        }
        else
        {
            _index.Remove(key);
        }

        _entries[at] = default;
        _removed++;
        if (_removed > 16 && _removed * 2 > _entries.Count)
        {
            Compact();
        }

        return true;
    }

    public void Clear()
    {
        _index.Clear();
        _entries.Clear();
        _nullIndex = -1;
        _removed = 0;
    }

    /// <summary>The entries in the order their keys were added; a snapshot, so the store may change while the caller iterates.</summary>
    public List<KeyValuePair<TKey, TValue>> Entries()
    {
        var entries = new List<KeyValuePair<TKey, TValue>>(Count);
        foreach (var entry in _entries)
        {
            if (entry.Live)
            {
                entries.Add(new KeyValuePair<TKey, TValue>(entry.Key, entry.Value));
            }
        }

        return entries;
    }

    /// <exception cref="InvalidOperationException">A key or value cannot be written (see <see cref="ValueCodec{T}.Write"/>).</exception>
    public void Write(Utf8JsonWriter writer)
    {
        var keys = StateCodecs.For<TKey>();
        var values = StateCodecs.For<TValue>();
        writer.WriteStartArray();
        foreach (var entry in _entries)
        {
            if (!entry.Live)
            {
                continue;
            }

            writer.WriteStartObject();
            writer.WritePropertyName("key");
            keys.Write(writer, entry.Key);
            writer.WritePropertyName("value");
            values.Write(writer, entry.Value);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <exception cref="InvalidDataException">The data is not an array of key/value entries of these types.</exception>
    public void Read(JsonElement entries)
    {
        if (entries.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException("Keyed state must be an array of { key, value } entries.");
        }

        var keys = StateCodecs.For<TKey>();
        var values = StateCodecs.For<TValue>();
        Clear();
        foreach (var entry in entries.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("key", out var key) || !entry.TryGetProperty("value", out var value))
            {
                throw new InvalidDataException("A keyed state entry needs 'key' and 'value'.");
            }

            var read = keys.Read(key);
            if (IndexOf(read) >= 0)
            {
                throw new InvalidDataException($"Keyed state holds the key {key.GetRawText()} twice.");
            }

            Set(read, values.Read(value));
        }
    }

    private int IndexOf(TKey key) => key is null ? _nullIndex : _index.GetValueOrDefault(key, -1);

    private void Compact()
    {
        var live = _entries.Where(e => e.Live).ToList();
        Clear();
        foreach (var entry in live)
        {
            Set(entry.Key, entry.Value);
        }
    }

    private readonly record struct Entry(TKey Key, TValue Value, bool Live);
}
#pragma warning restore CS8714
