using Npgsql;

namespace StreamLinq.ClusterWorker;

/// <summary>
/// An idempotent sink: inserts each record number into a table whose key is the number, and
/// ignores a number already there, so a replayed batch changes nothing. At least once into it
/// leaves every number exactly once, whatever is replayed.
/// </summary>
internal sealed class UpsertNumbersSink(NpgsqlDataSource dataSource, string table) : IBatchSink<long>, IIdempotentSink
{
    public async Task WriteBatchAsync(IReadOnlyList<long> batch, BatchTime time, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        await using var command = dataSource.CreateCommand($"INSERT INTO {table} (n) SELECT unnest($1::bigint[]) ON CONFLICT (n) DO NOTHING");
        command.Parameters.Add(new NpgsqlParameter { Value = batch.ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
