using System.Globalization;
using StackExchange.Redis;
using StreamLinq.Checkpointing;

namespace StreamLinq.Redis;

/// <summary>
/// Checkpoints in Redis: one hash per store (the key given), one field per checkpoint named by its
/// sequence number. Use it with
/// <see cref="StreamingContext.GetOrCreate(ICheckpointStore, Func{StreamingContext}, CheckpointOptions?)"/>
/// so that a driver recovers on another machine.
/// </summary>
/// <remarks>
/// <para>Each write is one <c>HSET</c> of one field (<c>HSETNX</c> for <see cref="TryCreateAsync"/>),
/// which Redis applies atomically: a reader sees the whole checkpoint or none. The engine frames
/// each checkpoint with its length and SHA-256 and checks them on reading, so a damaged value is
/// skipped for the previous one.</para>
/// <para>Durability is the server's: without <c>appendonly yes</c> (and <c>appendfsync always</c>
/// for the last second) a Redis restart loses the checkpoints, and recovery falls back to the
/// transactional sinks' commits. A write that fails (the server is down) fails the batch with an
/// <see cref="IOException"/> naming this store around the client's exception; the restart strategy
/// retries it.</para>
/// <para>One running context per key.</para>
/// </remarks>
public sealed class RedisCheckpointStore : ICheckpointStore
{
    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKey _key;
    private readonly int _database;

    /// <summary>Creates a store that keeps its checkpoints in the hash <paramref name="key"/>.</summary>
    /// <param name="redis">The Redis connection; owned by the caller.</param>
    /// <param name="key">The hash's key; stable across restarts.</param>
    /// <param name="database">The database number; -1 for the connection's default.</param>
    /// <exception cref="ArgumentNullException"><paramref name="redis"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is null or empty.</exception>
    public RedisCheckpointStore(IConnectionMultiplexer redis, string key, int database = -1)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentException.ThrowIfNullOrEmpty(key);
        _redis = redis;
        _key = key;
        _database = database;
    }

    /// <inheritdoc/>
    public string Description => $"Redis hash '{_key}' on {_redis.Configuration.Split(',')[0]}";

    private IDatabase Database => _redis.GetDatabase(_database);

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyCollection<long>> ListAsync(CancellationToken cancellationToken)
    {
        var fields = await Database.HashKeysAsync(_key).WaitAsync(cancellationToken).ConfigureAwait(false);
        return fields
            .Select(f => long.TryParse((string?)f, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) ? sequence : (long?)null)
            .OfType<long>()
            .ToList();
    }

    /// <inheritdoc/>
    public async ValueTask<byte[]?> ReadAsync(long sequence, CancellationToken cancellationToken)
    {
        var value = await Database.HashGetAsync(_key, Field(sequence)).WaitAsync(cancellationToken).ConfigureAwait(false);
        return value.IsNull ? null : (byte[]?)value;
    }

    /// <inheritdoc/>
    public async ValueTask WriteAsync(long sequence, ReadOnlyMemory<byte> checkpoint, CancellationToken cancellationToken) =>
        await Database.HashSetAsync(_key, Field(sequence), checkpoint).WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    /// <remarks>One <c>HSETNX</c>, which Redis runs alone: of racing writers exactly one sets the field.</remarks>
    public async ValueTask<bool> TryCreateAsync(long sequence, ReadOnlyMemory<byte> checkpoint, CancellationToken cancellationToken) =>
        await Database.HashSetAsync(_key, Field(sequence), checkpoint, When.NotExists).WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask DeleteAsync(long sequence, CancellationToken cancellationToken) =>
        await Database.HashDeleteAsync(_key, Field(sequence)).WaitAsync(cancellationToken).ConfigureAwait(false);

    private static RedisValue Field(long sequence) => sequence.ToString(CultureInfo.InvariantCulture);
}
