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
    /// when its turn came and a queued batch holds no entries in memory. Reads are asynchronous,
    /// off the batch timer's thread, and the next batch's entries are prefetched while a batch
    /// runs; each stream is a partition (<see cref="Sources.IPartitionedSource"/>).
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
        var (keys, checkedOptions) = Check(context, redis, streamKeys, options);
        return context.AddInput(new RedisStreamSource(redis, keys, checkedOptions));
    }

    /// <summary>
    /// A stream of the entries of one or more Redis streams, each decoded by
    /// <paramref name="decode"/> as it is read: the fast form, which skips the string copies of
    /// <see cref="RedisStreamEntry"/> (take a field's bytes with <c>(byte[])entry.Values[0].Value</c>).
    /// Everything else is as in the <see cref="RedisStreams(StreamingContext, IConnectionMultiplexer, IEnumerable{string}, RedisStreamsOptions?)"/> overload.
    /// </summary>
    /// <typeparam name="T">The type of the records.</typeparam>
    /// <param name="context">The context.</param>
    /// <param name="redis">The Redis connection; owned by the caller.</param>
    /// <param name="streamKeys">The keys of the streams to read, one partition each.</param>
    /// <param name="decode">
    /// Turns a stream key and an entry into a record. Called on a background task while the
    /// previous batch runs (a prefetch) or on the batch runner, and again on a replay: it must be
    /// deterministic and thread-safe. An exception fails the batch.
    /// </param>
    /// <param name="options">Batch size, database, starting point and consumer group; defaults when null.</param>
    /// <returns>The stream of records.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">No stream key, or an empty or repeated one.</exception>
    /// <exception cref="InvalidOperationException">The context has already started.</exception>
    public static IDStream<T> RedisStreams<T>(this StreamingContext context, IConnectionMultiplexer redis, IEnumerable<string> streamKeys, Func<string, StreamEntry, T> decode, RedisStreamsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(decode);
        var (keys, checkedOptions) = Check(context, redis, streamKeys, options);
        return context.AddInput(new RedisStreamSource<T>(redis, keys, checkedOptions, decode));
    }

    private static (string[] Keys, RedisStreamsOptions Options) Check(StreamingContext context, IConnectionMultiplexer redis, IEnumerable<string> streamKeys, RedisStreamsOptions? options)
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
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ReadChunkSize, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.OperationTimeout, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.OperationTimeout, TimeSpan.FromDays(24), nameof(options));
        if (options.ConsumerGroup is "")
        {
            throw new ArgumentException("The consumer group's name is empty; give a name or null.", nameof(options));
        }

        return (keys, options);
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
