using Npgsql;
using NpgsqlTypes;
using StreamLinq.Checkpointing;

namespace StreamLinq.Postgres;

/// <summary>
/// Checkpoints in PostgreSQL: one row per checkpoint in the table <c>streamlinq_checkpoints</c>
/// (created when missing), keyed by a store name and the checkpoint's sequence number. Use it with
/// <see cref="StreamingContext.GetOrCreate(ICheckpointStore, Func{StreamingContext}, CheckpointOptions?)"/>
/// so that a driver recovers on another machine.
/// </summary>
/// <remarks>
/// <para>Each write is one <c>INSERT ... ON CONFLICT DO UPDATE</c> statement (<c>DO NOTHING</c> for
/// <see cref="TryCreateAsync"/>), a transaction of its own: a reader sees the whole checkpoint or
/// none, and a driver killed mid-write leaves no row. The engine frames each checkpoint with its
/// length and SHA-256 and checks them on reading, so a row damaged in the database is skipped for
/// the previous one, as a damaged file is.</para>
/// <para>A write that fails (the server is down) fails the batch with an <see cref="IOException"/>
/// naming this store around Npgsql's exception; the restart strategy retries it. Durability is the
/// server's: with <c>synchronous_commit = off</c> a server crash can lose the newest checkpoints
/// (recovery then starts from an older one and the transactional sinks' commits).</para>
/// <para>One running context per store name.</para>
/// </remarks>
public sealed class PostgresCheckpointStore : ICheckpointStore
{
    private const string Create =
        "CREATE TABLE IF NOT EXISTS streamlinq_checkpoints (store_name text NOT NULL, sequence bigint NOT NULL, " +
        "checkpoint bytea NOT NULL, written_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (store_name, sequence))";

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _name;
    private volatile bool _created;

    /// <summary>Creates a store that keeps its checkpoints under <paramref name="name"/>.</summary>
    /// <param name="dataSource">Where to connect; owned by the caller.</param>
    /// <param name="name">Names this context's checkpoints in the table; stable across restarts.</param>
    /// <exception cref="ArgumentNullException"><paramref name="dataSource"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    public PostgresCheckpointStore(NpgsqlDataSource dataSource, string name)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentException.ThrowIfNullOrEmpty(name);
        _dataSource = dataSource;
        _name = name;
    }

    /// <inheritdoc/>
    public string Description
    {
        get
        {
            // Host and port only: a connection string may hold a password.
            var connection = new NpgsqlConnectionStringBuilder(_dataSource.ConnectionString);
            return $"PostgreSQL table streamlinq_checkpoints (store '{_name}' on {connection.Host}:{connection.Port})";
        }
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyCollection<long>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var list = new NpgsqlCommand("SELECT sequence FROM streamlinq_checkpoints WHERE store_name = $1", connection);
        list.Parameters.Add(new() { Value = _name });
        var sequences = new List<long>();
        await using var reader = await list.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            sequences.Add(reader.GetInt64(0));
        }

        return sequences;
    }

    /// <inheritdoc/>
    public async ValueTask<byte[]?> ReadAsync(long sequence, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var read = new NpgsqlCommand("SELECT checkpoint FROM streamlinq_checkpoints WHERE store_name = $1 AND sequence = $2", connection);
        read.Parameters.Add(new() { Value = _name });
        read.Parameters.Add(new() { Value = sequence });
        return await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as byte[];
    }

    /// <inheritdoc/>
    public async ValueTask WriteAsync(long sequence, ReadOnlyMemory<byte> checkpoint, CancellationToken cancellationToken) =>
        await InsertAsync(sequence, checkpoint, "DO UPDATE SET checkpoint = EXCLUDED.checkpoint, written_at = now()", cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    /// <remarks>One <c>INSERT ... ON CONFLICT DO NOTHING</c>: the primary key decides between racing writers, and the row count says which one won.</remarks>
    public async ValueTask<bool> TryCreateAsync(long sequence, ReadOnlyMemory<byte> checkpoint, CancellationToken cancellationToken) =>
        await InsertAsync(sequence, checkpoint, "DO NOTHING", cancellationToken).ConfigureAwait(false) == 1;

    /// <inheritdoc/>
    public async ValueTask DeleteAsync(long sequence, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var delete = new NpgsqlCommand("DELETE FROM streamlinq_checkpoints WHERE store_name = $1 AND sequence = $2", connection);
        delete.Parameters.Add(new() { Value = _name });
        delete.Parameters.Add(new() { Value = sequence });
        await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <returns>How many rows the statement inserted or updated.</returns>
    private async Task<int> InsertAsync(long sequence, ReadOnlyMemory<byte> checkpoint, string onConflict, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var insert = new NpgsqlCommand(
            "INSERT INTO streamlinq_checkpoints (store_name, sequence, checkpoint) VALUES ($1, $2, $3) " +
            "ON CONFLICT (store_name, sequence) " + onConflict, connection);
        insert.Parameters.Add(new() { Value = _name });
        insert.Parameters.Add(new() { Value = sequence });
        insert.Parameters.Add(new NpgsqlParameter<ReadOnlyMemory<byte>> { TypedValue = checkpoint, NpgsqlDbType = NpgsqlDbType.Bytea });
        return await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (!_created)
        {
            await using var create = new NpgsqlCommand(Create, connection);
            try
            {
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException error) when (error.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable)
            {
                // IF NOT EXISTS does not hold between two sessions creating the table at once (two
                // drivers of a new job): the one that lost finds it made by the other.
            }

            _created = true;
        }

        return connection;
    }
}
