using Npgsql;
using StreamLinq.Integration.Tests.Support;
using StreamLinq.Postgres;

namespace StreamLinq.Integration.Tests.Postgres;

/// <summary>The transactional PostgreSQL sink against a real PostgreSQL: replays are recognised by their commit token.</summary>
[Collection(ServersCollection.Name)]
public sealed class PostgresSinkTests(PostgresServerFixture postgres)
{
    [Fact]
    public async Task A_replayed_or_older_batch_is_skipped_and_the_offsets_are_committed_with_the_rows()
    {
        var table = $"sink_{Guid.NewGuid():N}";
        await postgres.ExecuteAsync($"CREATE TABLE {table} (n bigint NOT NULL)");
        var sink = new PostgresSink<long>(postgres.DataSource, table, PostgresCopy.Rows<long>(table, ["n"], n => [n]));
        BatchCommit Commit(int second) => new("WriteTo(PostgresSink) #1", new BatchTime(TimeSpan.FromSeconds(second).Ticks), "{\"0\": {\"last\": \"" + second + "\"}}");

        await sink.CommitBatchAsync([1, 2], Commit(1), CancellationToken.None);
        await sink.CommitBatchAsync([3], Commit(2), CancellationToken.None);
        await sink.CommitBatchAsync([3], Commit(2), CancellationToken.None);
        await sink.CommitBatchAsync([1, 2], Commit(1), CancellationToken.None);
        await sink.CommitBatchAsync([4], Commit(3), CancellationToken.None);

        await using (var rows = postgres.DataSource.CreateCommand($"SELECT string_agg(n::text, ',' ORDER BY n) FROM {table}"))
        {
            Assert.Equal("1,2,3,4", await rows.ExecuteScalarAsync());
        }

        await using var offsets = postgres.DataSource.CreateCommand($"SELECT batch_time, offsets->'0'->>'last' FROM streamlinq_commits WHERE sink_id = '{table}'");
        await using var reader = await offsets.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(TimeSpan.FromSeconds(3).Ticks, reader.GetInt64(0));
        Assert.Equal("3", reader.GetString(1));
    }

    [Fact]
    public async Task Sinks_committing_at_once_into_a_database_without_the_commit_table_all_commit()
    {
        // Each round a fresh schema, so the commit table does not exist yet and eight sinks (the
        // reducers of a cluster job) create it at the same moment.
        for (var round = 0; round < 10; round++)
        {
            var schema = $"fresh_{Guid.NewGuid():N}";
            var table = $"{schema}.rows";
            await postgres.ExecuteAsync($"CREATE SCHEMA {schema}; CREATE TABLE {table} (n bigint NOT NULL)");
            await using var fresh = NpgsqlDataSource.Create($"{postgres.ConnectionString};Search Path={schema}");
            await Task.WhenAll(Enumerable.Range(0, 8).Select(k => Task.Run(() =>
                new PostgresSink<long>(fresh, "race", PostgresCopy.Rows<long>(table, ["n"], n => [n]))
                    .CommitBatchAsync([k], new BatchCommit("out", new BatchTime(1), "{}") { Partition = k, Epoch = 1 }, CancellationToken.None))));

            await using var rows = postgres.DataSource.CreateCommand($"SELECT count(*) FROM {table}");
            Assert.Equal(8L, await rows.ExecuteScalarAsync());
        }
    }

    [Fact]
    public async Task The_last_commit_reads_back_as_stored_per_output_and_is_null_before_any()
    {
        var table = $"sink_{Guid.NewGuid():N}";
        await postgres.ExecuteAsync($"CREATE TABLE {table} (n bigint NOT NULL)");
        var sink = new PostgresSink<long>(postgres.DataSource, table, PostgresCopy.Rows<long>(table, ["n"], n => [n]));
        Assert.Null(await sink.ReadLastCommitAsync("WriteTo(PostgresSink) #1", CancellationToken.None));

        var offsets = "{\"0\": [{\"stream\": \"s\", \"after\": \"1-0\", \"last\": \"7-2\", \"count\": 3}], \"1\": null}";
        await sink.CommitBatchAsync([1], new("WriteTo(PostgresSink) #1", new BatchTime(10), "{}"), CancellationToken.None);
        await sink.CommitBatchAsync([2], new("WriteTo(PostgresSink) #1", new BatchTime(20), offsets), CancellationToken.None);
        await sink.CommitBatchAsync([3], new("WriteTo(PostgresSink) #2", new BatchTime(15), "{}"), CancellationToken.None);

        var last = await sink.ReadLastCommitAsync("WriteTo(PostgresSink) #1", CancellationToken.None);
        Assert.NotNull(last);
        Assert.Equal(new BatchTime(20), last.Time);
        Assert.Equal("WriteTo(PostgresSink) #1", last.OutputId);
        using var read = System.Text.Json.JsonDocument.Parse(last.Offsets);
        using var written = System.Text.Json.JsonDocument.Parse(offsets);
        Assert.True(System.Text.Json.JsonElement.DeepEquals(written.RootElement, read.RootElement), last.Offsets);
        Assert.Equal(new BatchTime(15), (await sink.ReadLastCommitAsync("WriteTo(PostgresSink) #2", CancellationToken.None))!.Time);
        Assert.Null(await sink.ReadLastCommitAsync("WriteTo(PostgresSink) #3", CancellationToken.None));
    }

    [Fact]
    public async Task A_failing_row_writer_rolls_back_the_rows_and_the_commit_token()
    {
        var table = $"sink_{Guid.NewGuid():N}";
        await postgres.ExecuteAsync($"CREATE TABLE {table} (n bigint NOT NULL CHECK (n > 0))");
        var sink = new PostgresSink<long>(postgres.DataSource, table, PostgresCopy.Rows<long>(table, ["n"], n => [n]));
        var commit = new BatchCommit("out", new BatchTime(TimeSpan.FromSeconds(1).Ticks), "{}");
        await Assert.ThrowsAnyAsync<Npgsql.PostgresException>(() => sink.CommitBatchAsync([5, -1], commit, CancellationToken.None));

        // The batch was not committed, so its retry writes it.
        await sink.CommitBatchAsync([5, 6], commit, CancellationToken.None);
        await using var rows = postgres.DataSource.CreateCommand($"SELECT count(*) FROM {table}");
        Assert.Equal(2L, await rows.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_retry_that_runs_beside_a_timed_out_first_commit_of_an_output_does_not_write_the_batch_twice()
    {
        // An output's very first batch: its write timed out in the scheduler but goes on in the
        // background, and the retry writes the same batch beside it. No commit row exists yet,
        // so there is no row for SELECT ... FOR UPDATE to lock.
        var table = $"sink_{Guid.NewGuid():N}";
        await postgres.ExecuteAsync($"CREATE TABLE {table} (n bigint NOT NULL)");
        var copy = PostgresCopy.Rows<long>(table, ["n"], n => [n]);
        var retryWritingRows = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task? retry = null;
        PostgresSink<long>? sink = null;
        var calls = 0;
        sink = new PostgresSink<long>(postgres.DataSource, table, async (rows, connection, transaction, token) =>
        {
            await copy(rows, connection, transaction, token);
            if (Interlocked.Increment(ref calls) == 1)
            {
                // The first attempt holds its transaction open while the retry starts; it goes on
                // once the retry writes its rows too, or after a while if the retry is held back.
                retry = sink!.CommitBatchAsync([1, 2], Commit(), CancellationToken.None);
                await Task.WhenAny(retryWritingRows.Task, Task.Delay(TimeSpan.FromSeconds(3), token));
            }
            else
            {
                retryWritingRows.TrySetResult();
            }
        });

        await sink.CommitBatchAsync([1, 2], Commit(), CancellationToken.None);
        await retry!;

        await using var count = postgres.DataSource.CreateCommand($"SELECT count(*) FROM {table}");
        Assert.Equal(2L, await count.ExecuteScalarAsync());

        static BatchCommit Commit() => new("out", new BatchTime(TimeSpan.FromSeconds(1).Ticks), "{}");
    }
}
