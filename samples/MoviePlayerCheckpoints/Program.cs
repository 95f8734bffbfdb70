// The movie-player sample: run it against a Redis server and a PostgreSQL database,
//   dotnet run --project samples/MoviePlayerCheckpoints -- <redis host:port> <postgres connection string> <checkpoint dir>
// It sends a few players' checkpoint events, processes them (resuming from the checkpoint
// directory if a previous run left one), and prints where each user is.
using MoviePlayerCheckpoints;
using Npgsql;
using StackExchange.Redis;
using StreamLinq;

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: MoviePlayerCheckpoints <redis host:port> <postgres connection string> <checkpoint dir>");
    return 2;
}

using var redis = await ConnectionMultiplexer.ConnectAsync(args[0]);
await using var positions = NpgsqlDataSource.Create(args[1]);
await using (var create = positions.CreateCommand(MoviePlayer.CreateTable))
{
    await create.ExecuteNonQueryAsync();
}

const string stream = "movie-player:checkpoints";
var now = DateTimeOffset.UtcNow;
foreach (var (user, minute) in new[] { ("ann", 12), ("bob", 3), ("ann", 14), ("bob", 5) })
{
    await MoviePlayer.SendAsync(redis.GetDatabase(), stream, new PlayerCheckpoint(user, "Metropolis", TimeSpan.FromMinutes(minute), now.AddMinutes(minute)));
}

await using var context = StreamingContext.GetOrCreate(args[2], () =>
{
    var context = new StreamingContext(TimeSpan.FromSeconds(1));
    MoviePlayer.Define(context, redis, stream, positions);
    return context;
});
Console.WriteLine(context.RecoveredBatchTime is { } recovered ? $"Resuming after batch {recovered}." : "Starting afresh.");
await context.StartAsync();
await Task.Delay(TimeSpan.FromSeconds(2.5));
await context.StopAsync(graceful: true);

await using var query = positions.CreateCommand("SELECT user_id, movie, position_ms FROM player_positions ORDER BY user_id");
await using var reader = await query.ExecuteReaderAsync();
while (await reader.ReadAsync())
{
    Console.WriteLine($"{reader.GetString(0)} is at {TimeSpan.FromMilliseconds(reader.GetInt64(2))} in {reader.GetString(1)}");
}

return 0;
