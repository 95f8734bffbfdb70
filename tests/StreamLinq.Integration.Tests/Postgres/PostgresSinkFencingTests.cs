using StreamLinq.Integration.Tests.Support;
using StreamLinq.Postgres;

namespace StreamLinq.Integration.Tests.Postgres;

/// <summary>
/// The transactional PostgreSQL sink under cluster mode's writers: one commit row per key
/// partition, and a zombie's commit (an older epoch than the row holds) refused in its transaction.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class PostgresSinkFencingTests(PostgresServerFixture postgres)
{
    private const string Output = "WriteTo(PostgresSink) #1";

    private static BatchCommit Commit(int second, int partition, long epoch) =>
        new(Output, new BatchTime(TimeSpan.FromSeconds(second).Ticks), "{}") { Partition = partition, Epoch = epoch };

    [Fact]
    public async Task Every_key_partition_commits_its_slice_of_a_batch_once()
    {
        var (table, sink) = await CreateAsync();

        await sink.CommitBatchAsync([1, 2], Commit(1, partition: 0, epoch: 1), CancellationToken.None);
        await sink.CommitBatchAsync([3], Commit(1, partition: 1, epoch: 1), CancellationToken.None);
        await sink.CommitBatchAsync([1, 2], Commit(1, partition: 0, epoch: 2), CancellationToken.None);
        await sink.CommitBatchAsync([4], Commit(2, partition: 1, epoch: 2), CancellationToken.None);

        Assert.Equal("1,2,3,4", await RowsAsync(table));
    }

    [Fact]
    public async Task A_commit_of_an_older_epoch_than_the_partition_committed_is_refused_and_writes_nothing()
    {
        var (table, sink) = await CreateAsync();
        await sink.CommitBatchAsync([1], Commit(1, partition: 0, epoch: 1), CancellationToken.None);
        await sink.CommitBatchAsync([2], Commit(2, partition: 0, epoch: 3), CancellationToken.None);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => sink.CommitBatchAsync([3], Commit(3, partition: 0, epoch: 2), CancellationToken.None));

        Assert.Contains("epoch 2", refused.Message);
        Assert.Contains("epoch 3", refused.Message);
        Assert.Contains($"{Output}#0", refused.Message);
        Assert.Equal("1,2", await RowsAsync(table));

        // The writer of the newer epoch goes on.
        await sink.CommitBatchAsync([3], Commit(3, partition: 0, epoch: 3), CancellationToken.None);
        Assert.Equal("1,2,3", await RowsAsync(table));
    }

    private async Task<(string Table, PostgresSink<long> Sink)> CreateAsync()
    {
        var table = $"fenced_{Guid.NewGuid():N}";
        await postgres.ExecuteAsync($"CREATE TABLE {table} (n bigint NOT NULL)");
        return (table, new PostgresSink<long>(postgres.DataSource, table, PostgresCopy.Rows<long>(table, ["n"], n => [n])));
    }

    private async Task<object?> RowsAsync(string table)
    {
        await using var rows = postgres.DataSource.CreateCommand($"SELECT string_agg(n::text, ',' ORDER BY n) FROM {table}");
        return await rows.ExecuteScalarAsync();
    }
}
