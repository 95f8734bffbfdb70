using MoviePlayerCheckpoints;
using StreamLinq.Integration.Tests.Support;

namespace StreamLinq.Integration.Tests.Samples;

/// <summary>The movie-player sample against real Redis and PostgreSQL: replays never move a user backwards.</summary>
[Collection(ServersCollection.Name)]
public sealed class MoviePlayerTests(RedisServerFixture redis, PostgresServerFixture postgres)
{
    [Fact]
    public async Task Replaying_the_whole_stream_and_late_events_never_move_a_user_backwards()
    {
        await postgres.ExecuteAsync("DROP TABLE IF EXISTS player_positions");
        await postgres.ExecuteAsync(MoviePlayer.CreateTable);
        var stream = $"movie:{Guid.NewGuid():N}";
        var database = redis.Connection.GetDatabase();
        var start = new DateTimeOffset(2026, 1, 1, 20, 0, 0, TimeSpan.Zero);
        PlayerCheckpoint At(string user, int minute) => new(user, "Metropolis", TimeSpan.FromMinutes(minute), start.AddMinutes(minute));

        foreach (var checkpoint in new[] { At("ann", 10), At("bob", 3), At("ann", 14), At("bob", 5) })
        {
            await MoviePlayer.SendAsync(database, stream, checkpoint);
        }

        var first = Directory.CreateTempSubdirectory("streamlinq-movie-");
        var fresh = Directory.CreateTempSubdirectory("streamlinq-movie-");
        try
        {
            await RunUntilDrainedAsync(first.FullName, stream, expectedRecords: 4);
            Assert.Equal([("ann", 14), ("bob", 5)], await PositionsAsync());

            // A late event from ann's other device (older by her clock) and a newer one from bob.
            await MoviePlayer.SendAsync(database, stream, At("ann", 12));
            await MoviePlayer.SendAsync(database, stream, At("bob", 7));
            await RunUntilDrainedAsync(first.FullName, stream, expectedRecords: 2);
            Assert.Equal([("ann", 14), ("bob", 7)], await PositionsAsync());

            // A lost checkpoint replays the whole stream: nothing moves.
            await RunUntilDrainedAsync(fresh.FullName, stream, expectedRecords: 6);
            Assert.Equal([("ann", 14), ("bob", 7)], await PositionsAsync());
        }
        finally
        {
            first.Delete(recursive: true);
            fresh.Delete(recursive: true);
        }
    }

    private async Task RunUntilDrainedAsync(string checkpoints, string stream, int expectedRecords)
    {
        var records = new BatchCounter(expectedRecords);
        await using var context = StreamingContext.GetOrCreate(checkpoints, () =>
        {
            var context = new StreamingContext(TimeSpan.FromMilliseconds(100));
            context.AddListener(records);
            MoviePlayer.Define(context, redis.Connection, stream, postgres.DataSource);
            return context;
        });
        await context.StartAsync();
        await records.Done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await context.StopAsync(graceful: true);
        await context.AwaitTerminationAsync();
    }

    private async Task<List<(string, int)>> PositionsAsync()
    {
        await using var command = postgres.DataSource.CreateCommand("SELECT user_id, position_ms FROM player_positions ORDER BY user_id");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, int)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), (int)TimeSpan.FromMilliseconds(reader.GetInt64(1)).TotalMinutes));
        }

        return rows;
    }

    private sealed class BatchCounter(int expected) : IStreamingListener
    {
        private long _records;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnBatchCompleted(BatchInfo batch)
        {
            if (batch.Failure is { } failure)
            {
                Done.TrySetException(failure);
            }
            else if (Interlocked.Add(ref _records, batch.RecordCount ?? 0) >= expected)
            {
                Done.TrySetResult();
            }
        }
    }
}
