namespace StreamLinq.Redis;

/// <summary>One entry of a Redis stream, as a Redis Streams source delivers it.</summary>
/// <param name="Stream">The key of the stream it was read from.</param>
/// <param name="Id">The entry id, e.g. <c>1700000000000-0</c>.</param>
/// <param name="Fields">The entry's fields and values, in the order they were added.</param>
public sealed record RedisStreamEntry(string Stream, string Id, IReadOnlyList<KeyValuePair<string, string>> Fields)
{
    /// <summary>The value of <paramref name="field"/>, or null when the entry has no such field.</summary>
    /// <param name="field">The field name.</param>
    /// <returns>The value, or null.</returns>
    public string? this[string field] => Fields.FirstOrDefault(f => f.Key == field).Value;
}
