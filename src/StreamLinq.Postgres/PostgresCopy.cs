using Npgsql;

namespace StreamLinq.Postgres;

/// <summary>Row writers for <see cref="PostgresSink{T}"/>.</summary>
public static class PostgresCopy
{
    /// <summary>
    /// A row writer that appends each record as one row with binary COPY, the fastest bulk
    /// insert PostgreSQL offers.
    /// </summary>
    /// <typeparam name="T">The type of the records.</typeparam>
    /// <param name="table">The table, e.g. <c>public.events</c> (each part is quoted).</param>
    /// <param name="columns">The columns, in the order of the values <paramref name="row"/> returns.</param>
    /// <param name="row">A record's column values; their CLR types choose the PostgreSQL types.</param>
    /// <returns>A writer to give <see cref="PostgresSink{T}"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The table is empty or no column is given.</exception>
    public static Func<IReadOnlyList<T>, NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task> Rows<T>(string table, IReadOnlyList<string> columns, Func<T, object?[]> row)
    {
        ArgumentException.ThrowIfNullOrEmpty(table);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(row);
        if (columns.Count == 0)
        {
            throw new ArgumentException("Give at least one column.", nameof(columns));
        }

        var copy = $"COPY {string.Join('.', table.Split('.').Select(Quote))} ({string.Join(", ", columns.Select(Quote))}) FROM STDIN (FORMAT BINARY)";
        return async (batch, connection, _, cancellationToken) =>
        {
            if (batch.Count == 0)
            {
                return;
            }

            await using var importer = await connection.BeginBinaryImportAsync(copy, cancellationToken).ConfigureAwait(false);
            foreach (var record in batch)
            {
                await importer.WriteRowAsync(cancellationToken, row(record)).ConfigureAwait(false);
            }

            await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        };
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
