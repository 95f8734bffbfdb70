using StackExchange.Redis;

namespace StreamLinq.Redis;

/// <summary>Redis Streams as a StreamLinq source.</summary>
public static class RedisStreamsSources
{
    /// <summary>
    /// A stream of the entries of one or more Redis streams, read by entry id ranges: each batch
    /// takes, from each stream, the entries after the last id read (XRANGE), at most
    /// <see cref="RedisStreamsOptions.MaxEntriesPerBatch"/> of them. The range is resolved when
    /// the batch is processed, not when it is sealed, so a batch holds what the streams held
    /// when its turn came and a queued batch holds no entries in memory.
    /// </summary>
    /// <param name="context">The context.</param>
    /// <param name="redis">The Redis connection; owned by the caller.</param>
    /// <param name="streamKeys">The keys of the streams to read; a batch holds their entries stream by stream, each in id order.</param>
    /// <param name="options">Batch size, database and starting point; defaults when null.</param>
    /// <returns>The stream of entries.</returns>
    /// <remarks>
    /// Replayable: each batch records the id range it read from each stream (after which id, up
    /// to which id, how many), so that a batch pending at a crash is read again exactly, and the
    /// checkpoint holds each stream's last id read. It supports
    /// <see cref="DeliveryGuarantee.ExactlyOnce"/> with a transactional or idempotent sink, as long
    /// as the entries of a pending batch are not trimmed (XTRIM) before it is replayed. With
    /// <see cref="StreamingOptions.BackPressure"/> the rate estimator lowers the entries a batch
    /// takes below <see cref="RedisStreamsOptions.MaxEntriesPerBatch"/> when batches fall behind.
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">No stream key, or an empty or repeated one.</exception>
    /// <exception cref="InvalidOperationException">The context has already started.</exception>
    public static IDStream<RedisStreamEntry> RedisStreams(this StreamingContext context, IConnectionMultiplexer redis, IEnumerable<string> streamKeys, RedisStreamsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(streamKeys);
        var keys = streamKeys.ToArray();
        if (keys.Length == 0 || keys.Any(string.IsNullOrEmpty) || keys.Distinct(StringComparer.Ordinal).Count() != keys.Length)
        {
            throw new ArgumentException("Give at least one stream key, none empty or repeated.", nameof(streamKeys));
        }

        options ??= new RedisStreamsOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxEntriesPerBatch, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.OperationTimeout, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.OperationTimeout, TimeSpan.FromDays(24), nameof(options));
        return context.AddInput(new RedisStreamSource(redis, keys, options));
    }

    /// <summary>A stream of the entries of one Redis stream; see the overload for several.</summary>
    /// <param name="context">The context.</param>
    /// <param name="redis">The Redis connection; owned by the caller.</param>
    /// <param name="streamKey">The key of the stream.</param>
    /// <param name="options">Batch size, database and starting point; defaults when null.</param>
    /// <returns>The stream of entries.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">The context has already started.</exception>
    public static IDStream<RedisStreamEntry> RedisStream(this StreamingContext context, IConnectionMultiplexer redis, string streamKey, RedisStreamsOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamKey);
        return context.RedisStreams(redis, [streamKey], options);
    }
}
