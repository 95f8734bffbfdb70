using StackExchange.Redis;
using StreamLinq;
using StreamLinq.Redis;

namespace YahooStreamingBenchmark;

/// <summary>
/// The Redis mode's event transport: the generator appends each event's JSON to a Redis stream
/// (XADD, field <c>e</c>); the job reads it with the StreamLinq.Redis source (id ranges, read
/// asynchronously and prefetched while a batch runs), each entry decoded straight to its bytes.
/// </summary>
public sealed class RedisEvents(IConnectionMultiplexer redis, string key = "ad-events")
{
    /// <summary>Appends events, pipelined: one round trip for the whole chunk.</summary>
    public Task AppendAsync(IReadOnlyList<byte[]> events)
    {
        var database = redis.GetDatabase();
        var writes = new Task[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            writes[i] = database.StreamAddAsync(key, "e", events[i]);
        }

        return Task.WhenAll(writes);
    }

    /// <summary>
    /// The stream of events, from the stream's start: a batch takes up to
    /// <paramref name="perBatch"/> entries, read 10,000 per call.
    /// </summary>
    public IDStream<ReadOnlyMemory<byte>> Read(StreamingContext context, int perBatch) =>
        context.RedisStreams(
            redis,
            [key],
            static (_, entry) => (ReadOnlyMemory<byte>)(byte[])entry.Values[0].Value!,
            new RedisStreamsOptions { MaxEntriesPerBatch = perBatch, StartFromBeginning = true });
}
