using StackExchange.Redis;
using StreamLinq;
using StreamLinq.Redis;

namespace YahooStreamingBenchmark.Cluster;

/// <summary>
/// The cluster job: the single-process sample's advertising query (<see cref="AdvertisingJob"/>),
/// unchanged, over the run's partitioned Redis source, its counts added into the Redis window
/// store. Every silo builds it the same way; the engine runs each source partition where
/// Orleans places its executor and each key range on its reducer.
/// </summary>
public static class YsbClusterJob
{
    /// <summary>Defines the job on <paramref name="context"/>.</summary>
    public static void Define(StreamingContext context, IConnectionMultiplexer redis, ClusterLayout layout)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(layout);
        var events = context.RedisStreams(
            redis,
            layout.StreamKeys,
            static (_, entry) => (ReadOnlyMemory<byte>)(byte[])entry.Values[0].Value!,
            // The driver cuts each batch into one id range per stream without reading it.
            new RedisStreamsOptions { StartFromBeginning = true, FixRangesWhenSealed = true });
        AdvertisingJob.Define(events, Campaigns.Create(), new RedisWindowStore(redis.GetDatabase(), layout.Prefix));
    }
}
