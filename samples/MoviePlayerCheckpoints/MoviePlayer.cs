using System.Globalization;
using Npgsql;
using StackExchange.Redis;
using StreamLinq;
using StreamLinq.Redis;

namespace MoviePlayerCheckpoints;

/// <summary>
/// The seed's movie-player example: players send checkpoint events to a Redis stream; every
/// batch keeps each user's newest event and upserts it into PostgreSQL, so that a user resumes
/// where they left off on any device.
/// </summary>
/// <remarks>
/// Processed at least once: after a crash a batch may be written again. The upsert only moves a
/// user forward in their own time (<c>WHERE excluded.users_time &gt; t.users_time</c>), so a replay,
/// or an event that arrives late, never moves a user backwards: the sink is idempotent.
/// </remarks>
public static class MoviePlayer
{
    public const string CreateTable =
        "CREATE TABLE IF NOT EXISTS player_positions (user_id text PRIMARY KEY, movie text NOT NULL, " +
        "position_ms bigint NOT NULL, users_time timestamptz NOT NULL)";

    private const string Upsert =
        "INSERT INTO player_positions AS t (user_id, movie, position_ms, users_time) VALUES ($1, $2, $3, $4) " +
        "ON CONFLICT (user_id) DO UPDATE SET movie = excluded.movie, position_ms = excluded.position_ms, users_time = excluded.users_time " +
        "WHERE excluded.users_time > t.users_time";

    /// <summary>Defines the query on a context: Redis stream in, newest position per user out to PostgreSQL.</summary>
    public static void Define(StreamingContext context, IConnectionMultiplexer redis, string streamKey, NpgsqlDataSource positions)
    {
        var store = new PositionStore(positions);
        NewestPerUser(context.RedisStream(redis, streamKey).Select(e => Parse(e)))
            .ForEachBatch(store.UpsertAsync, DeliveryGuarantee.AtLeastOnce);
    }

    /// <summary>
    /// The query between source and sink, apart so that tests run it on a test input
    /// (samples/TestingYourQueries): each user's newest checkpoint in the batch, by the user's time.
    /// </summary>
    /// <remarks>Per batch: the sink's version guard, not this query, keeps a user from moving backwards across batches.</remarks>
    public static IDStream<PlayerCheckpoint> NewestPerUser(IDStream<PlayerCheckpoint> checkpoints) =>
        checkpoints
            .GroupBy(c => c.User)
            .Select(g => g.OrderByDescending(c => c.UsersTime).First());

    /// <summary>Appends an event to the stream, as a player would.</summary>
    public static Task<RedisValue> SendAsync(IDatabase redis, string streamKey, PlayerCheckpoint checkpoint) =>
        redis.StreamAddAsync(streamKey,
        [
            new NameValueEntry("user", checkpoint.User),
            new NameValueEntry("movie", checkpoint.Movie),
            new NameValueEntry("position_ms", (long)checkpoint.Position.TotalMilliseconds),
            new NameValueEntry("users_time", checkpoint.UsersTime.ToUnixTimeMilliseconds()),
        ]);

    private static PlayerCheckpoint Parse(RedisStreamEntry entry) => new(
        entry["user"] ?? throw new FormatException($"Entry {entry.Id} has no user."),
        entry["movie"] ?? throw new FormatException($"Entry {entry.Id} has no movie."),
        TimeSpan.FromMilliseconds(long.Parse(entry["position_ms"] ?? "0", CultureInfo.InvariantCulture)),
        DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(entry["users_time"] ?? "0", CultureInfo.InvariantCulture)));

    /// <summary>The idempotent sink: replaying a batch leaves the table as writing it once did.</summary>
    [IdempotentSink]
    private sealed class PositionStore(NpgsqlDataSource positions)
    {
        public async Task UpsertAsync(IReadOnlyList<PlayerCheckpoint> batch, BatchTime time, CancellationToken cancellationToken)
        {
            if (batch.Count == 0)
            {
                return;
            }

            await using var connection = await positions.OpenConnectionAsync(cancellationToken);
            var upserts = new NpgsqlBatch(connection);
            await using (upserts)
            {
                foreach (var checkpoint in batch)
                {
                    var command = new NpgsqlBatchCommand(Upsert);
                    command.Parameters.Add(new() { Value = checkpoint.User });
                    command.Parameters.Add(new() { Value = checkpoint.Movie });
                    command.Parameters.Add(new() { Value = (long)checkpoint.Position.TotalMilliseconds });
                    command.Parameters.Add(new() { Value = checkpoint.UsersTime });
                    upserts.BatchCommands.Add(command);
                }

                await upserts.ExecuteNonQueryAsync(cancellationToken);
            }
        }
    }
}
