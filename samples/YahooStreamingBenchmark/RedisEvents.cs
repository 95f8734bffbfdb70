using System.Runtime.CompilerServices;
using StackExchange.Redis;

namespace YahooStreamingBenchmark;

/// <summary>
/// The Redis mode's event transport: the generator appends each event's JSON to a Redis stream
/// (XADD, field <c>e</c>); the job reads the stream in order (XREAD from the last id seen).
/// </summary>
public sealed class RedisEvents(IDatabase database, string key = "ad-events")
{
    private long _read;

    /// <summary>How many events the reader has handed to the job.</summary>
    public long Read => Interlocked.Read(ref _read);

    /// <summary>Appends events, pipelined: one round trip for the whole chunk.</summary>
    public Task AppendAsync(IReadOnlyList<byte[]> events)
    {
        var writes = new Task[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            writes[i] = database.StreamAddAsync(key, "e", events[i]);
        }

        return Task.WhenAll(writes);
    }

    /// <summary>Reads the stream from its start until cancelled, polling when it is drained.</summary>
    public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        RedisValue last = "0-0";
        while (!cancellationToken.IsCancellationRequested)
        {
            var entries = await database.StreamReadAsync(key, last, count: 10_000).ConfigureAwait(false);
            if (entries.Length == 0)
            {
                try
                {
                    await Task.Delay(1, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }

                continue;
            }

            foreach (var entry in entries)
            {
                yield return (byte[])entry.Values[0].Value!;
                Interlocked.Increment(ref _read);
            }

            last = entries[^1].Id;
        }
    }
}
