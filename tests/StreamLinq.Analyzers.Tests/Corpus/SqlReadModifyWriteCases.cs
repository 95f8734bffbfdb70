namespace StreamLinq.Analyzers.Tests.Corpus;

/// <summary>Family 1: SQL whose effect depends on what the table already holds, and SQL that does not.</summary>
internal static partial class LabelledCorpus
{
    private const string Sql = "1 SQL read-modify-write";

    public static IEnumerable<CorpusCase> SqlReadModifyWrite =>
    [
        new(Sql, "sql-update-increment", true, "UPDATE ... SET n = n + @d adds the batch again on replay", """
            record Hit(string Page, long Count);
            class Sink
            {
                public void Wire(IDStream<Hit> hits, string cs) => hits.ForEachBatch((batch, time) =>
                {
                    using var conn = new Npgsql.NpgsqlConnection(cs);
                    conn.Open();
                    foreach (var h in batch)
                    {
                        using var cmd = new Npgsql.NpgsqlCommand("UPDATE page_views SET views = views + @n WHERE page = @p", conn);
                        cmd.Parameters.AddWithValue("n", h.Count);
                        cmd.Parameters.AddWithValue("p", h.Page);
                        cmd.ExecuteNonQuery();
                    }
                });
            }
            """),
        new(Sql, "sql-update-qualified-column", true, "SET t.balance = t.balance - @amount reads the stored balance through an alias", """
            record Payment(int Account, decimal Amount);
            class Sink
            {
                public void Wire(IDStream<Payment> payments, Npgsql.NpgsqlConnection conn) => payments.ForEachBatch(async (batch, time, ct) =>
                {
                    foreach (var p in batch)
                    {
                        await using var cmd = new Npgsql.NpgsqlCommand(@"
                            UPDATE accounts AS t
                               SET t.balance = t.balance - @amount
                             WHERE t.id = @id", conn);
                        cmd.Parameters.AddWithValue("amount", p.Amount);
                        cmd.Parameters.AddWithValue("id", p.Account);
                        await cmd.ExecuteNonQueryAsync(ct);
                    }
                });
            }
            """),
        new(Sql, "sql-upsert-excluded-sum", true, "ON CONFLICT DO UPDATE SET total = t.total + EXCLUDED.total sums the replayed batch again", """
            record Sale(string Sku, decimal Amount);
            class Sink
            {
                const string Upsert = @"
                    INSERT INTO sales_totals AS t (sku, total) VALUES (@sku, @amount)
                    ON CONFLICT (sku) DO UPDATE SET total = t.total + EXCLUDED.total";
                public void Wire(IDStream<Sale> sales, Npgsql.NpgsqlConnection conn) => sales.ForEachBatch((batch, time) =>
                {
                    foreach (var s in batch)
                    {
                        using var cmd = new Npgsql.NpgsqlCommand(Upsert, conn);
                        cmd.Parameters.AddWithValue("sku", s.Sku);
                        cmd.Parameters.AddWithValue("amount", s.Amount);
                        cmd.ExecuteNonQuery();
                    }
                });
            }
            """),
        new(Sql, "sql-upsert-unqualified-column", true, "DO UPDATE SET hits = hits + 1 reads the stored row's hits", """
            class Sink
            {
                public void Wire(IDStream<string> words, Npgsql.NpgsqlConnection conn) => words.ForEachBatch((batch, time) =>
                {
                    foreach (var w in batch.Distinct())
                    {
                        conn.Execute("INSERT INTO word_hits (word, hits) VALUES (@w, 1) ON CONFLICT (word) DO UPDATE SET hits = word_hits.hits + 1", new { w });
                    }
                });
            }
            """),
        new(Sql, "sql-mysql-duplicate-key", true, "ON DUPLICATE KEY UPDATE qty = qty + VALUES(qty) adds again", """
            record Stock(string Sku, int Qty);
            class Sink
            {
                public void Wire(IDStream<Stock> moves, Npgsql.NpgsqlConnection conn) => moves.ForEachBatch(async (batch, time, ct) =>
                {
                    foreach (var m in batch)
                    {
                        await conn.ExecuteAsync("INSERT INTO stock (sku, qty) VALUES (@Sku, @Qty) ON DUPLICATE KEY UPDATE qty = qty + VALUES(qty)", m);
                    }
                });
            }
            """),
        new(Sql, "sql-conflict-only-in-comment", true, "the ON CONFLICT is commented out: the statement is a plain INSERT", """
            record Event(string Id, string Body);
            class Sink
            {
                public void Wire(IDStream<Event> events, Npgsql.NpgsqlConnection conn) => events.ForEachBatch((batch, time) =>
                {
                    foreach (var e in batch)
                    {
                        conn.Execute(@"INSERT INTO events (id, body) VALUES (@Id, @Body)
                                       -- ON CONFLICT (id) DO NOTHING  (disabled while the index is rebuilt)
                                       ", e);
                    }
                });
            }
            """),
        new(Sql, "sql-conflict-in-block-comment", true, "/* ON CONFLICT DO NOTHING */ is a comment, the INSERT repeats", """
            class Sink
            {
                public void Wire(IDStream<string> lines, Npgsql.NpgsqlConnection conn) => lines.ForEachBatch((batch, time) =>
                {
                    using var cmd = conn.CreateCommand();
                    cmd.CommandText = "INSERT INTO log_lines (line) VALUES (@l) /* ON CONFLICT DO NOTHING */";
                    foreach (var l in batch)
                    {
                        cmd.Parameters.AddWithValue("l", l);
                        cmd.ExecuteNonQuery();
                    }
                });
            }
            """),
        new(Sql, "sql-string-concat-append", true, "SET note = note || @x appends text to the stored value", """
            record Note(int Ticket, string Text);
            class Sink
            {
                public void Wire(IDStream<Note> notes, Npgsql.NpgsqlConnection conn) => notes.ForEachBatch((batch, time) =>
                {
                    foreach (var n in batch)
                    {
                        conn.Execute("UPDATE tickets SET history = history || @Text WHERE id = @Ticket", n);
                    }
                });
            }
            """),
        new(Sql, "sql-array-append", true, "array_append(tags, @tag) grows the stored array on every replay", """
            record Tagging(int Item, string Tag);
            class Sink
            {
                public void Wire(IDStream<Tagging> tags, Npgsql.NpgsqlConnection conn) => tags.ForEachBatch((batch, time) =>
                {
                    foreach (var t in batch)
                    {
                        conn.Execute("update items set tags = array_append(tags, @Tag) where id = @Item", t);
                    }
                });
            }
            """),
        new(Sql, "sql-ef-raw-update", true, "ExecuteSqlRaw with UPDATE ... SET stock = stock - {0} subtracts again", """
            class Shop : Microsoft.EntityFrameworkCore.DbContext { }
            record Order(int Product, int Qty);
            class Sink
            {
                public void Wire(IDStream<Order> orders) => orders.ForEachBatch((batch, time) =>
                {
                    using var db = new Shop();
                    foreach (var o in batch)
                    {
                        db.Database.ExecuteSqlRaw("UPDATE products SET stock = stock - {0} WHERE id = {1}", o.Qty, o.Product);
                    }
                });
            }
            """),
        new(Sql, "sql-interpolated-update", true, "an interpolated UPDATE that adds to the stored counter", """
            record Metric(string Name, double Value);
            class Sink
            {
                public void Wire(IDStream<Metric> metrics, Npgsql.NpgsqlConnection conn) => metrics.ForEachBatch((batch, time) =>
                {
                    foreach (var m in batch)
                    {
                        conn.Execute($"UPDATE metrics SET value = value + {m.Value} WHERE name = '{m.Name}'");
                    }
                });
            }
            """),
        new(Sql, "sql-copy-binary-import", true, "COPY ... FROM STDIN appends every row again on replay", """
            record Reading(string Sensor, double Value);
            class Sink
            {
                public void Wire(IDStream<Reading> readings, Npgsql.NpgsqlConnection conn) => readings.ForEachBatch((batch, time) =>
                {
                    using var importer = conn.BeginBinaryImport("COPY readings (sensor, value) FROM STDIN (FORMAT BINARY)");
                    foreach (var r in batch)
                    {
                        importer.StartRow();
                        importer.Write(r.Sensor);
                        importer.Write(r.Value);
                    }
                    importer.Complete();
                });
            }
            """),
        new(Sql, "sql-sink-class-update", true, "a sink class whose UPDATE decrements the stored quantity", """
            record Reservation(int Seat);
            class SeatSink : IBatchSink<Reservation>
            {
                private readonly Npgsql.NpgsqlConnection conn = new("Host=db");
                public async Task WriteBatchAsync(IReadOnlyList<Reservation> batch, BatchTime time, CancellationToken cancellationToken)
                {
                    foreach (var r in batch)
                    {
                        await using var cmd = new Npgsql.NpgsqlCommand("UPDATE shows SET free_seats = free_seats - 1 WHERE seat_block = @s", conn);
                        cmd.Parameters.AddWithValue("s", r.Seat);
                        await cmd.ExecuteNonQueryAsync(cancellationToken);
                    }
                }
            }
            """),
        new(Sql, "sql-batch-command-upsert-sum", true, "an NpgsqlBatch upsert whose DO UPDATE multiplies the stored value", """
            record Rate(string Pair, double Factor);
            class Sink
            {
                public void Wire(IDStream<Rate> rates, Npgsql.NpgsqlConnection conn) => rates.ForEachBatch(async (batch, time, ct) =>
                {
                    using var b = new Npgsql.NpgsqlBatch(conn);
                    foreach (var r in batch)
                    {
                        var c = new Npgsql.NpgsqlBatchCommand("INSERT INTO compound (pair, factor) VALUES ($1, $2) ON CONFLICT (pair) DO UPDATE SET factor = compound.factor * EXCLUDED.factor");
                        c.Parameters.AddWithValue("", r.Pair);
                        c.Parameters.AddWithValue("", r.Factor);
                        b.BatchCommands.Add(c);
                    }
                    await b.ExecuteNonQueryAsync(ct);
                });
            }
            """),

        new(Sql, "sql-upsert-overwrite", false, "DO UPDATE SET total = EXCLUDED.total writes the new value, whatever was stored", """
            record Total(string Sku, BatchTime Time, decimal Amount);
            class Sink
            {
                public void Wire(IDStream<Total> totals, Npgsql.NpgsqlConnection conn) => totals.ForEachBatch((batch, time) =>
                {
                    foreach (var t in batch)
                    {
                        conn.Execute("INSERT INTO totals (sku, batch_ms, total) VALUES (@Sku, @Ms, @Amount) ON CONFLICT (sku, batch_ms) DO UPDATE SET total = EXCLUDED.total",
                            new { t.Sku, Ms = time.Milliseconds, t.Amount });
                    }
                });
            }
            """),
        new(Sql, "sql-upsert-do-nothing", false, "ON CONFLICT DO NOTHING keyed by event id: a replayed row is skipped", """
            record Event(Guid Id, string Body);
            class Sink
            {
                public void Wire(IDStream<Event> events, Npgsql.NpgsqlConnection conn) => events.ForEachBatch((batch, time) =>
                {
                    foreach (var e in batch)
                    {
                        conn.Execute("INSERT INTO events (id, body) VALUES (@Id, @Body) ON CONFLICT (id) DO NOTHING", e);
                    }
                });
            }
            """),
        new(Sql, "sql-update-absolute", false, "UPDATE ... SET status = @s writes an absolute value", """
            record Status(int Order, string State);
            class Sink
            {
                public void Wire(IDStream<Status> statuses, Npgsql.NpgsqlConnection conn) => statuses.ForEachBatch((batch, time) =>
                {
                    foreach (var s in batch)
                    {
                        conn.Execute("UPDATE orders SET status = @State, updated_batch = @B WHERE id = @Order", new { s.State, B = time.Milliseconds, s.Order });
                    }
                });
            }
            """),
        new(Sql, "sql-upsert-greatest", false, "GREATEST(t.high, EXCLUDED.high) keeps the maximum: applying it twice changes nothing", """
            record Price(string Sym, decimal High);
            class Sink
            {
                public void Wire(IDStream<Price> prices, Npgsql.NpgsqlConnection conn) => prices.ForEachBatch((batch, time) =>
                {
                    foreach (var p in batch)
                    {
                        conn.Execute("INSERT INTO highs AS t (sym, high) VALUES (@Sym, @High) ON CONFLICT (sym) DO UPDATE SET high = GREATEST(t.high, EXCLUDED.high)", p);
                    }
                });
            }
            """),
        new(Sql, "sql-upsert-version-guard", false, "the sum only applies when the stored batch is older: a replayed batch is refused by the WHERE", """
            record Count(string Key, long N);
            class Sink
            {
                public void Wire(IDStream<Count> counts, Npgsql.NpgsqlConnection conn) => counts.ForEachBatch((batch, time) =>
                {
                    foreach (var c in batch)
                    {
                        conn.Execute(@"INSERT INTO counts AS t (key, n, last_batch) VALUES (@Key, @N, @B)
                                       ON CONFLICT (key) DO UPDATE SET n = t.n + EXCLUDED.n, last_batch = EXCLUDED.last_batch
                                       WHERE t.last_batch < EXCLUDED.last_batch", new { c.Key, c.N, B = time.Milliseconds });
                    }
                });
            }
            """),
        new(Sql, "sql-update-guarded-by-batch", false, "UPDATE adds only where applied_batch < @b, and records the batch in the same statement", """
            record Credit(int Account, decimal Amount);
            class Sink
            {
                public void Wire(IDStream<Credit> credits, Npgsql.NpgsqlConnection conn) => credits.ForEachBatch((batch, time) =>
                {
                    foreach (var c in batch)
                    {
                        conn.Execute("UPDATE wallets SET balance = balance + @Amount, applied_batch = @B WHERE id = @Account AND applied_batch < @B",
                            new { c.Amount, B = time.Milliseconds, c.Account });
                    }
                });
            }
            """),
        new(Sql, "sql-bitwise-flag", false, "SET flags = flags | 4 sets a bit: idempotent", """
            record Flag(int User);
            class Sink
            {
                public void Wire(IDStream<Flag> flags, Npgsql.NpgsqlConnection conn) => flags.ForEachBatch((batch, time) =>
                {
                    foreach (var f in batch)
                    {
                        conn.Execute("UPDATE users SET flags = flags | 4 WHERE id = @User", f);
                    }
                });
            }
            """),
        new(Sql, "sql-coalesce-first-seen", false, "first_seen = COALESCE(first_seen, @t) sets it only once", """
            record Visit(string User);
            class Sink
            {
                public void Wire(IDStream<Visit> visits, Npgsql.NpgsqlConnection conn) => visits.ForEachBatch((batch, time) =>
                {
                    foreach (var v in batch)
                    {
                        conn.Execute("UPDATE users SET first_seen = COALESCE(first_seen, @T) WHERE name = @User", new { T = time.Milliseconds, v.User });
                    }
                });
            }
            """),
        new(Sql, "sql-delete-insert-same-batch", false, "deletes the batch's rows and inserts them again in one transaction", """
            record Row(string Key, int Value);
            class Sink
            {
                public void Wire(IDStream<Row> rows, Npgsql.NpgsqlConnection conn) => rows.ForEachBatch((batch, time) =>
                {
                    using var tx = conn.BeginTransaction();
                    conn.Execute("DELETE FROM results WHERE batch_ms = @B", new { B = time.Milliseconds }, tx);
                    foreach (var r in batch)
                    {
                        conn.Execute("INSERT INTO results (batch_ms, key, value) VALUES (@B, @Key, @Value)", new { B = time.Milliseconds, r.Key, r.Value }, tx);
                    }
                    tx.Commit();
                });
            }
            """),
        new(Sql, "sql-select-only", false, "a sink that only reads (a lookup before logging) writes nothing", """
            class Sink
            {
                public void Wire(IDStream<int> ids, Npgsql.NpgsqlConnection conn) => ids.ForEachBatch((batch, time) =>
                {
                    foreach (var id in batch)
                    {
                        var name = conn.QuerySingleOrDefault<string>("SELECT name FROM users WHERE id = @id /* plus the total = total + 1 we used to keep */", new { id });
                        Console.WriteLine($"{time}: {id} is {name}");
                    }
                });
            }
            """),
        new(Sql, "sql-merge-overwrite", false, "MERGE ... WHEN MATCHED THEN UPDATE SET v = s.v overwrites with the batch's value", """
            record Kv(string K, string V);
            class Sink
            {
                public void Wire(IDStream<Kv> kvs, Npgsql.NpgsqlConnection conn) => kvs.ForEachBatch((batch, time) =>
                {
                    foreach (var kv in batch)
                    {
                        conn.Execute(@"MERGE INTO kv AS t USING (SELECT @K AS k, @V AS v) AS s ON t.k = s.k
                                       WHEN MATCHED THEN UPDATE SET v = s.v
                                       WHEN NOT MATCHED THEN INSERT (k, v) VALUES (s.k, s.v)", kv);
                    }
                });
            }
            """),
        new(Sql, "sql-at-most-once-increment", false, "at-most-once delivery never replays, so the increment is applied at most once", """
            class Sink
            {
                public void Wire(IDStream<string> pages, Npgsql.NpgsqlConnection conn) => pages.ForEachBatch((batch, time) =>
                {
                    foreach (var p in batch)
                    {
                        conn.Execute("UPDATE page_views SET views = views + 1 WHERE page = @p", new { p });
                    }
                }, DeliveryGuarantee.AtMostOnce);
            }
            """),
        new(Sql, "sql-string-literal-with-plus", false, "the '+' is inside a string literal written to the column, not arithmetic on it", """
            record Tag(int Id);
            class Sink
            {
                public void Wire(IDStream<Tag> tags, Npgsql.NpgsqlConnection conn) => tags.ForEachBatch((batch, time) =>
                {
                    foreach (var t in batch)
                    {
                        conn.Execute("UPDATE labels SET label = 'label + label' WHERE id = @Id", t);
                    }
                });
            }
            """),
        new(Sql, "sql-update-from-staging", false, "UPDATE ... SET n = s.n FROM staging s copies the staged value: the target's n is not read", """
            class Sink
            {
                public void Wire(IDStream<int> ticks, Npgsql.NpgsqlConnection conn) => ticks.ForEachBatch((batch, time) =>
                {
                    conn.Execute("UPDATE totals t SET n = s.n FROM staging s WHERE t.k = s.k AND s.batch_ms = @B", new { B = time.Milliseconds });
                });
            }
            """),
        new(Sql, "sql-insert-select-not-exists", false, "INSERT ... SELECT ... WHERE NOT EXISTS skips rows already there", """
            record Event(string Id, string Body);
            class Sink
            {
                public void Wire(IDStream<Event> events, Npgsql.NpgsqlConnection conn) => events.ForEachBatch((batch, time) =>
                {
                    foreach (var e in batch)
                    {
                        conn.Execute("INSERT INTO events (id, body) SELECT @Id, @Body WHERE NOT EXISTS (SELECT 1 FROM events WHERE id = @Id)", e);
                    }
                });
            }
            """),
        new(Sql, "sql-update-concatenated-text", true, "the UPDATE is built by concatenation and adds to the stored n", """
            class Sink
            {
                public void Wire(IDStream<(string Key, int Count)> counts, Npgsql.NpgsqlConnection conn) => counts.ForEachBatch((batch, time) =>
                {
                    foreach (var c in batch)
                    {
                        using var cmd = new Npgsql.NpgsqlCommand("UPDATE stats SET n = n + " + c.Count + " WHERE k = '" + c.Key + "'", conn);
                        cmd.ExecuteNonQuery();
                    }
                });
            }
            """),
        new(Sql, "sql-static-readonly-text", true, "the UPDATE lives in a static readonly field, not a const", """
            class Sink
            {
                private static readonly string Bump = "UPDATE quotas SET used = used + @n WHERE tenant = @t";
                public void Wire(IDStream<(string Tenant, int N)> usage, Npgsql.NpgsqlConnection conn) => usage.ForEachBatch((batch, time) =>
                {
                    foreach (var u in batch) conn.Execute(Bump, new { n = u.N, t = u.Tenant });
                });
            }
            """),
        new(Sql, "sql-overdraft-guard-is-not-a-version", true, "WHERE balance > @amount only prevents overdrafts: a replay debits again", """
            record Debit(int Account, decimal Amount);
            class Sink
            {
                public void Wire(IDStream<Debit> debits, Npgsql.NpgsqlConnection conn) => debits.ForEachBatch((batch, time) =>
                {
                    foreach (var d in batch)
                    {
                        conn.Execute("UPDATE accounts SET balance = balance - @Amount WHERE id = @Account AND balance > @Amount", d);
                    }
                });
            }
            """),
        new(Sql, "sql-tsql-merge-without-into", false, "a T-SQL MERGE (no INTO) whose matched rows take the source's value", """
            record Kv(string K, int V);
            class Sink
            {
                public void Wire(IDStream<Kv> kvs, Npgsql.NpgsqlConnection conn) => kvs.ForEachBatch((batch, time) =>
                {
                    foreach (var kv in batch)
                    {
                        conn.Execute(@"MERGE dbo.kv AS t USING (SELECT @K AS k, @V AS v) AS s ON t.k = s.k
                                       WHEN MATCHED THEN UPDATE SET t.v = s.v
                                       WHEN NOT MATCHED THEN INSERT (k, v) VALUES (s.k, s.v);", kv);
                    }
                });
            }
            """),
        new(Sql, "sql-distinct-batch-marker", false, "adds only where last_batch <> @B and writes @B into it: the replay of the same batch is skipped", """
            class Sink
            {
                public void Wire(IDStream<(string Key, long N)> counts, Npgsql.NpgsqlConnection conn) => counts.ForEachBatch((batch, time) =>
                {
                    foreach (var c in batch)
                    {
                        conn.Execute("UPDATE counters SET n = n + @N, last_batch = @B WHERE key = @Key AND last_batch <> @B", new { c.N, B = time.Milliseconds, c.Key });
                    }
                });
            }
            """),
    ];
}
