using Npgsql;

namespace StreamLinq.Postgres;

/// <summary>
/// A transactional PostgreSQL sink: each batch's rows and the batch's commit token (output id,
/// batch time, source offsets) are written in one transaction, so a batch replayed after a crash
/// is recognised and skipped. With a replayable source it gives
/// <see cref="DeliveryGuarantee.ExactlyOnce"/>.
/// </summary>
/// <typeparam name="T">The type of the records written.</typeparam>
/// <remarks>
/// <para>Commit tokens live in the table <c>streamlinq_commits</c> (created when missing), one row per
/// sink id and output: the last batch time committed, its offsets as JSON and the writer's epoch.
/// Two queries must not share a sink id. At start the context reads that row back
/// (<see cref="ReadLastCommitAsync"/>): a replayable source resumes after it and a batch it covers
/// is not written again, even when the checkpoint directory was lost or damaged.</para>
/// <para>In cluster mode every key partition writes its slice of a batch: its row is the output's
/// id followed by <c>#</c> and the partition (<see cref="BatchCommit.Partition"/>). A commit whose
/// <see cref="BatchCommit.Epoch"/> is older than the epoch the row holds comes from a zombie (a
/// driver that another has replaced) and is refused with an <see cref="InvalidOperationException"/>,
/// in the transaction that would have written it.</para>
/// </remarks>
public sealed class PostgresSink<T> : ITransactionalSink<T>
{
    private const string CreateCommits =
        "CREATE TABLE IF NOT EXISTS streamlinq_commits (sink_id text NOT NULL, output_id text NOT NULL, batch_time bigint NOT NULL, " +
        "offsets jsonb NOT NULL, committed_at timestamptz NOT NULL DEFAULT now(), epoch bigint NOT NULL DEFAULT 0, PRIMARY KEY (sink_id, output_id)); " +
        "ALTER TABLE streamlinq_commits ADD COLUMN IF NOT EXISTS epoch bigint NOT NULL DEFAULT 0";

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _sinkId;
    private readonly Func<IReadOnlyList<T>, NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task> _writeRows;
    private volatile bool _created;

    /// <summary>Creates a sink that writes each batch's rows with <paramref name="writeRows"/>.</summary>
    /// <param name="dataSource">Where to connect; owned by the caller.</param>
    /// <param name="sinkId">Names this sink's commit tokens; stable across restarts.</param>
    /// <param name="writeRows">
    /// Writes a batch's rows on the given connection, inside the given transaction (which the
    /// sink commits or rolls back). Must not commit itself.
    /// </param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="sinkId"/> is empty.</exception>
    public PostgresSink(NpgsqlDataSource dataSource, string sinkId, Func<IReadOnlyList<T>, NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task> writeRows)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentException.ThrowIfNullOrEmpty(sinkId);
        ArgumentNullException.ThrowIfNull(writeRows);
        _dataSource = dataSource;
        _sinkId = sinkId;
        _writeRows = writeRows;
    }

    /// <summary>Writes a batch outside exactly once: the batch time alone is the commit token.</summary>
    /// <param name="batch">The batch's records.</param>
    /// <param name="time">The batch time.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public Task WriteBatchAsync(IReadOnlyList<T> batch, BatchTime time, CancellationToken cancellationToken) =>
        CommitBatchAsync(batch, new BatchCommit("default", time, "{}"), cancellationToken);

    /// <summary>Reads the last commit stored for <paramref name="outputId"/> under this sink id; null when there is none.</summary>
    /// <param name="outputId">The output operation.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The batch time and offsets stored by the last <see cref="CommitBatchAsync"/>, or null.</returns>
    public async Task<BatchCommit?> ReadLastCommitAsync(string outputId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outputId);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var read = new NpgsqlCommand("SELECT batch_time, offsets::text FROM streamlinq_commits WHERE sink_id = $1 AND output_id = $2", connection);
        read.Parameters.Add(new() { Value = _sinkId });
        read.Parameters.Add(new() { Value = outputId });
        await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new BatchCommit(outputId, new BatchTime(reader.GetInt64(0)), reader.GetString(1))
            : null;
    }

    /// <summary>
    /// In one transaction: refuses a commit of an older epoch than the output's (partition's)
    /// last; skips the batch when a batch at or after its time is already committed for it;
    /// otherwise writes its rows and records the commit.
    /// </summary>
    /// <param name="batch">The batch's records.</param>
    /// <param name="commit">The batch's commit token.</param>
    /// <param name="cancellationToken">Cancels the write; the transaction rolls back.</param>
    /// <exception cref="InvalidOperationException">The commit's epoch is older than the one committed last: a zombie writer's.</exception>
    public async Task CommitBatchAsync(IReadOnlyList<T> batch, BatchCommit commit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(commit);
        var outputId = commit.Partition is { } partition ? $"{commit.OutputId}#{partition}" : commit.OutputId;
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // The output's row exists before it is locked: on its first commit there is no row for
        // FOR UPDATE to lock, and two writers of the same batch (a retry beside an attempt that
        // timed out but commits in the background) would both write it. Inserting the row waits
        // for another transaction inserting it; a placeholder older than any batch is committed
        // only with the real token below.
        await using (var claim = new NpgsqlCommand(
            "INSERT INTO streamlinq_commits (sink_id, output_id, batch_time, offsets) VALUES ($1, $2, -1, '{}'::jsonb) ON CONFLICT (sink_id, output_id) DO NOTHING",
            connection,
            transaction))
        {
            claim.Parameters.Add(new() { Value = _sinkId });
            claim.Parameters.Add(new() { Value = outputId });
            await claim.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var last = new NpgsqlCommand("SELECT batch_time, epoch FROM streamlinq_commits WHERE sink_id = $1 AND output_id = $2 FOR UPDATE", connection, transaction))
        {
            last.Parameters.Add(new() { Value = _sinkId });
            last.Parameters.Add(new() { Value = outputId });
            long committed, epoch;
            await using (var reader = await last.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                (committed, epoch) = (reader.GetInt64(0), reader.GetInt64(1));
            }

            if (epoch > commit.Epoch)
            {
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                throw new InvalidOperationException(
                    $"Sink '{_sinkId}' refused batch {commit.Time} of {outputId} from epoch {commit.Epoch}: epoch {epoch} has committed to it since, so the writer is a zombie of a replaced driver.");
            }

            if (committed >= commit.Time.Ticks)
            {
                // A replay of a batch that committed before the crash: its rows are already there.
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
        }

        await _writeRows(batch, connection, transaction, cancellationToken).ConfigureAwait(false);
        await using (var record = new NpgsqlCommand(
            "INSERT INTO streamlinq_commits (sink_id, output_id, batch_time, offsets, epoch) VALUES ($1, $2, $3, $4::jsonb, $5) " +
            "ON CONFLICT (sink_id, output_id) DO UPDATE SET batch_time = excluded.batch_time, offsets = excluded.offsets, epoch = excluded.epoch, committed_at = now()",
            connection,
            transaction))
        {
            record.Parameters.Add(new() { Value = _sinkId });
            record.Parameters.Add(new() { Value = outputId });
            record.Parameters.Add(new() { Value = commit.Time.Ticks });
            record.Parameters.Add(new() { Value = commit.Offsets });
            record.Parameters.Add(new() { Value = commit.Epoch });
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens a connection, creating the commit table the first time.</summary>
    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_created)
            {
                await using var create = new NpgsqlCommand(CreateCommits, connection);
                try
                {
                    await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (PostgresException error) when (error.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.DuplicateObject or PostgresErrorCodes.DuplicateColumn)
                {
                    // IF NOT EXISTS is no lock: another writer (in cluster mode, a reducer on
                    // another silo) created the table or its column at the same moment, and it is there.
                }

                _created = true;
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
