using StackExchange.Redis;

namespace StreamLinq.Redis;

/// <summary>Decodes a stream entry into the <see cref="RedisStreamEntry"/> record: fields and values as strings.</summary>
internal static class RedisStreamEntryDecoder
{
    public static RedisStreamEntry Decode(string key, StreamEntry entry)
    {
        var values = entry.Values;
        var fields = new KeyValuePair<string, string>[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            fields[i] = new KeyValuePair<string, string>(values[i].Name!, values[i].Value!);
        }

        return new RedisStreamEntry(key, entry.Id!, fields);
    }
}
