using System.Text.Json;

namespace StreamLinq.State;

// Keys may be null, as in LINQ's GroupBy; a null key is held apart and never reaches the
// dictionary, so the dictionary's notnull constraint holds at run time.
#pragma warning disable CS8714

/// <summary>
/// A keyed state store: one value per key, a null key allowed, written to checkpoints as a plain
/// JSON array of <c>{ "key": ..., "value": ... }</c> with System.Text.Json for the query's own types.
/// </summary>
internal sealed class KeyedStateStore<TKey, TValue>
{
    private readonly Dictionary<TKey, TValue> _values = [];
    private bool _hasNull;
    private TValue _nullValue = default!;

    public int Count => _values.Count + (_hasNull ? 1 : 0);

    public bool TryGetValue(TKey key, out TValue value)
    {
        if (key is null)
        {
            value = _nullValue;
            return _hasNull;
        }

        return _values.TryGetValue(key, out value!);
    }

    public void Set(TKey key, TValue value)
    {
        if (key is null)
        {
            _hasNull = true;
            _nullValue = value;
        }
        else
        {
            _values[key] = value;
        }
    }

    public bool Remove(TKey key)
    {
        if (key is null)
        {
            var had = _hasNull;
            _hasNull = false;
            _nullValue = default!;
            return had;
        }

        return _values.Remove(key);
    }

    public void Clear()
    {
        _values.Clear();
        _hasNull = false;
        _nullValue = default!;
    }

    /// <summary>The entries; a snapshot, so the store may change while the caller iterates.</summary>
    public List<KeyValuePair<TKey, TValue>> Entries()
    {
        var entries = new List<KeyValuePair<TKey, TValue>>(Count);
        if (_hasNull)
        {
            entries.Add(new KeyValuePair<TKey, TValue>(default!, _nullValue));
        }

        entries.AddRange(_values);
        return entries;
    }

    public void Write(Utf8JsonWriter writer, JsonSerializerOptions? options = null)
    {
        writer.WriteStartArray();
        foreach (var (key, value) in Entries())
        {
            writer.WriteStartObject();
            writer.WritePropertyName("key");
            JsonSerializer.Serialize(writer, key, options);
            writer.WritePropertyName("value");
            JsonSerializer.Serialize(writer, value, options);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <exception cref="InvalidDataException">The data is not an array of key/value entries.</exception>
    public void Read(JsonElement entries, JsonSerializerOptions? options = null)
    {
        if (entries.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException("Keyed state must be an array of { key, value } entries.");
        }

        Clear();
        foreach (var entry in entries.EnumerateArray())
        {
            if (!entry.TryGetProperty("key", out var key) || !entry.TryGetProperty("value", out var value))
            {
                throw new InvalidDataException("A keyed state entry needs 'key' and 'value'.");
            }

            Set(key.Deserialize<TKey>(options)!, value.Deserialize<TValue>(options)!);
        }
    }
}
#pragma warning restore CS8714
