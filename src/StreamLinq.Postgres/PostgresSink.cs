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
/// Commit tokens live in the table <c>streamlinq_commits</c> (created when missing), one row per
/// sink id and output: the last batch time committed and its offsets as JSON. Two queries must
/// not share a sink id. In cluster mode every key partition writes its own slice of each batch
/// (<see cref="BatchCommit.Partition"/>): each partition's commits are kept apart, in the row of
/// output id <c>output#partition</c>, so one partition's commit never makes another's slice look
/// written. At start the context reads that row back
/// (<see cref="ReadLastCommitAsync"/>): a replayable source resumes after it and a batch it covers
/// is not written again, even when the checkpoint directory was lost or damaged.
/// </remarks>
public sealed class PostgresSink<T> : ITransactionalSink<T>
{
    private const string CreateCommits =
        "CREATE TABLE IF NOT EXISTS streamlinq_commits (sink_id text NOT NULL, output_id text NOT NULL, batch_time bigint NOT NULL, " +
        "offsets jsonb NOT NULL, committed_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (sink_id, output_id))";

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
    /// In one transaction: skips the batch when a batch at or after its time is already
    /// committed for the output; otherwise writes its rows and records the commit.
    /// </summary>
    /// <param name="batch">The batch's records.</param>
    /// <param name="commit">The batch's commit token.</param>
    /// <param name="cancellationToken">Cancels the write; the transaction rolls back.</param>
    public async Task CommitBatchAsync(IReadOnlyList<T> batch, BatchCommit commit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(commit);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var outputKey = commit.Partition is { } partition ? $"{commit.OutputId}#{partition.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : commit.OutputId;

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
            claim.Parameters.Add(new() { Value = outputKey });
            await claim.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var last = new NpgsqlCommand("SELECT batch_time FROM streamlinq_commits WHERE sink_id = $1 AND output_id = $2 FOR UPDATE", connection, transaction))
        {
            last.Parameters.Add(new() { Value = _sinkId });
            last.Parameters.Add(new() { Value = outputKey });
            if (await last.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long committed && committed >= commit.Time.Ticks)
            {
                // A replay of a batch that committed before the crash: its rows are already there.
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
        }

        await _writeRows(batch, connection, transaction, cancellationToken).ConfigureAwait(false);
        await using (var record = new NpgsqlCommand(
            "INSERT INTO streamlinq_commits (sink_id, output_id, batch_time, offsets) VALUES ($1, $2, $3, $4::jsonb) " +
            "ON CONFLICT (sink_id, output_id) DO UPDATE SET batch_time = excluded.batch_time, offsets = excluded.offsets, committed_at = now()",
            connection,
            transaction))
        {
            record.Parameters.Add(new() { Value = _sinkId });
            record.Parameters.Add(new() { Value = outputKey });
            record.Parameters.Add(new() { Value = commit.Time.Ticks });
            record.Parameters.Add(new() { Value = commit.Offsets });
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
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
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
