namespace StreamLinq.Analyzers.Tests.Corpus;

/// <summary>Family 6: deduplication state a crash loses, guarding an effect a replay repeats; and durable guards.</summary>
internal static partial class LabelledCorpus
{
    private const string Guard = "6 in-memory guards";

    public static IEnumerable<CorpusCase> InMemoryGuards =>
    [
        new(Guard, "guard-hashset-post", true, "an in-memory 'already sent' set guards a POST: after a restart the set is empty and the replay posts again", """
            class Sink
            {
                private readonly HashSet<string> sent = new();
                public void Wire(IDStream<(string Id, string Body)> alerts, HttpClient http) => alerts.ForEachBatch(async (batch, time, ct) =>
                {
                    foreach (var a in batch)
                    {
                        if (!sent.Add(a.Id)) continue;
                        await http.PostAsync("https://pager.example.com/alerts", new StringContent(a.Body), ct);
                    }
                });
            }
            """),
        new(Guard, "guard-contains-then-mail", true, "Contains on a static set before mailing: lost on restart", """
            class Sink
            {
                private static readonly HashSet<string> notified = new();
                public void Wire(IDStream<string> users) => users.ForEachBatch((batch, time) =>
                {
                    using var smtp = new System.Net.Mail.SmtpClient("smtp.example.com");
                    foreach (var u in batch)
                    {
                        if (notified.Contains(u)) continue;
                        smtp.Send("noreply@example.com", u, "Your report is ready", "See the dashboard.");
                        notified.Add(u);
                    }
                });
            }
            """),
        new(Guard, "guard-concurrent-tryadd-publish", true, "ConcurrentDictionary.TryAdd guards a Kafka publish; the dictionary dies with the process", """
            class Sink
            {
                private readonly ConcurrentDictionary<string, bool> published = new();
                public void Wire(IDStream<(string Id, string Json)> orders, Confluent.Kafka.IProducer<string, string> producer) => orders.ForEachBatch(async (batch, time, ct) =>
                {
                    foreach (var o in batch)
                    {
                        if (published.TryAdd(o.Id, true))
                            await producer.ProduceAsync("orders", new Confluent.Kafka.Message<string, string> { Key = o.Id, Value = o.Json }, ct);
                    }
                });
            }
            """),
        new(Guard, "guard-last-batch-field-insert", true, "a field remembering the last written batch guards a plain INSERT; lost on restart", """
            class Sink
            {
                private long lastWritten = -1;
                public void Wire(IDStream<string> lines, Npgsql.NpgsqlConnection conn) => lines.ForEachBatch((batch, time) =>
                {
                    if (time.Milliseconds <= lastWritten) return;
                    foreach (var l in batch) conn.Execute("INSERT INTO lines (line) VALUES (@l)", new { l });
                    lastWritten = time.Milliseconds;
                });
            }
            """),
        new(Guard, "guard-memory-cache-rabbit", true, "a MemoryCache-like dictionary of processed ids guards a RabbitMQ publish", """
            class Sink
            {
                private readonly Dictionary<string, DateTime> processed = new();
                public void Wire(IDStream<(string Id, byte[] Body)> messages, RabbitMQ.Client.IModel channel) => messages.ForEachBatch((batch, time) =>
                {
                    foreach (var m in batch)
                    {
                        if (processed.ContainsKey(m.Id)) continue;
                        channel.BasicPublish("out", "", null, m.Body);
                        processed[m.Id] = DateTime.UtcNow;
                    }
                });
            }
            """),
        new(Guard, "guard-sink-class-set-ef-add", true, "a sink class skips ids it has seen in memory, then adds entities with EF", """
            class Row { public string Id { get; set; } = ""; }
            class Db : Microsoft.EntityFrameworkCore.DbContext { public Microsoft.EntityFrameworkCore.DbSet<Row> Rows { get; } = new(); }
            class DedupSink : IBatchSink<Row>
            {
                private readonly HashSet<string> seen = new();
                public async Task WriteBatchAsync(IReadOnlyList<Row> batch, BatchTime time, CancellationToken cancellationToken)
                {
                    using var db = new Db();
                    foreach (var r in batch.Where(r => seen.Add(r.Id))) db.Rows.Add(r);
                    await db.SaveChangesAsync(cancellationToken);
                }
            }
            """),
        new(Guard, "guard-set-then-redis-incr", true, "an in-memory set guards an INCR", """
            class Sink
            {
                private readonly HashSet<string> counted = new();
                public void Wire(IDStream<(string Id, string Page)> views, StackExchange.Redis.IDatabase redis) => views.ForEachBatch((batch, time) =>
                {
                    foreach (var v in batch)
                        if (counted.Add(v.Id)) redis.StringIncrement("views:" + v.Page);
                });
            }
            """),
        new(Guard, "guard-bool-flag-webhook", true, "a bool field 'alreadyNotified' guards a POST; it resets to false on restart", """
            class Sink
            {
                private bool alreadyNotified;
                public void Wire(IDStream<int> errors, HttpClient http) => errors.ForEachBatch(async (batch, time, ct) =>
                {
                    if (batch.Count > 100 && !alreadyNotified)
                    {
                        alreadyNotified = true;
                        await http.PostAsync("https://chat.example.com/hooks/ops", new StringContent($"{batch.Count} errors at {time}"), ct);
                    }
                });
            }
            """),
        new(Guard, "guard-helper-set-and-send", true, "a helper checks an in-memory set and sends mail", """
            class Notifier
            {
                private readonly HashSet<string> done = new();
                private readonly MailKit.Net.Smtp.SmtpClient smtp = new();
                public async Task NotifyOnce(string user, CancellationToken ct)
                {
                    if (!done.Add(user)) return;
                    await smtp.SendAsync(new MimeKit.MimeMessage { Subject = "Welcome " + user }, ct);
                }
            }
            class Sink
            {
                public void Wire(IDStream<string> users, Notifier notifier) => users.ForEachBatch(async (batch, time, ct) =>
                {
                    foreach (var u in batch) await notifier.NotifyOnce(u, ct);
                });
            }
            """),
        new(Guard, "guard-set-service-bus", true, "an in-memory set guards Service Bus sends without a MessageId", """
            class Sink
            {
                private static readonly ConcurrentDictionary<string, byte> sent = new();
                public void Wire(IDStream<(string Id, string Body)> jobs, Azure.Messaging.ServiceBus.ServiceBusSender sender) => jobs.ForEachBatch(async (batch, time, ct) =>
                {
                    foreach (var j in batch)
                    {
                        if (!sent.TryAdd(j.Id, 0)) continue;
                        await sender.SendMessageAsync(new Azure.Messaging.ServiceBus.ServiceBusMessage(j.Body), ct);
                    }
                });
            }
            """),
        new(Guard, "guard-hashset-file-append", true, "an in-memory set guards an append to a shared log file", """
            class Sink
            {
                private readonly HashSet<long> written = new();
                public void Wire(IDStream<string> lines) => lines.ForEachBatch((batch, time) =>
                {
                    if (!written.Add(time.Milliseconds)) return;
                    File.AppendAllLines("all.log", batch);
                });
            }
            """),
        new(Guard, "guard-set-ef-addrange", true, "a ConcurrentDictionary of keys guards an EF AddRange + SaveChanges", """
            class Fact { public string Key { get; set; } = ""; }
            class Db : Microsoft.EntityFrameworkCore.DbContext { public Microsoft.EntityFrameworkCore.DbSet<Fact> Facts { get; } = new(); }
            class Sink
            {
                private readonly ConcurrentDictionary<string, bool> stored = new();
                public void Wire(IDStream<Fact> facts) => facts.ForEachBatch(async (batch, time, ct) =>
                {
                    using var db = new Db();
                    var fresh = batch.Where(f => stored.TryAdd(f.Key, true)).ToList();
                    await db.Facts.AddRangeAsync(fresh, ct);
                    await db.SaveChangesAsync(ct);
                });
            }
            """),

        new(Guard, "guard-redis-setnx-post", false, "a Redis SET NX on the batch and id is a durable guard: a replay finds the key and skips", """
            class Sink
            {
                public void Wire(IDStream<(string Id, string Body)> alerts, HttpClient http, StackExchange.Redis.IDatabase redis) => alerts.ForEachBatch(async (batch, time, ct) =>
                {
                    foreach (var a in batch)
                    {
                        var first = await redis.StringSetAsync($"sent:{a.Id}", "1", TimeSpan.FromDays(7), StackExchange.Redis.When.NotExists);
                        if (!first) continue;
                        await http.PostAsync("https://pager.example.com/alerts", new StringContent(a.Body), ct);
                    }
                });
            }
            """),
        new(Guard, "guard-db-insert-do-nothing-rows", false, "an outbox row inserted ON CONFLICT DO NOTHING; the mail goes only when the insert affected a row", """
            class Sink
            {
                public void Wire(IDStream<string> users, Npgsql.NpgsqlConnection conn) => users.ForEachBatch(async (batch, time, ct) =>
                {
                    using var smtp = new System.Net.Mail.SmtpClient("smtp.example.com");
                    foreach (var u in batch)
                    {
                        var inserted = await conn.ExecuteAsync("INSERT INTO welcomed (email) VALUES (@u) ON CONFLICT (email) DO NOTHING", new { u });
                        if (inserted == 1) smtp.Send("noreply@example.com", u, "Welcome", "Hello!");
                    }
                });
            }
            """),
        new(Guard, "guard-ef-any-before-add", false, "the database is asked whether the row exists before adding it", """
            class Row { public string Id { get; set; } = ""; }
            class Db : Microsoft.EntityFrameworkCore.DbContext { public Microsoft.EntityFrameworkCore.DbSet<Row> Rows { get; } = new(); }
            class Sink
            {
                public void Wire(IDStream<Row> rows) => rows.ForEachBatch(async (batch, time, ct) =>
                {
                    using var db = new Db();
                    foreach (var r in batch)
                    {
                        if (!await db.Rows.AnyAsync(x => x.Id == r.Id, ct)) db.Rows.Add(r);
                    }
                    await db.SaveChangesAsync(ct);
                });
            }
            """),
        new(Guard, "guard-hashset-dedups-within-batch-upsert", false, "a set local to the call removes duplicates inside the batch before an upsert", """
            class Sink
            {
                public void Wire(IDStream<(string Id, string V)> rows, Npgsql.NpgsqlConnection conn) => rows.ForEachBatch((batch, time) =>
                {
                    var seen = new HashSet<string>();
                    foreach (var r in batch)
                    {
                        if (!seen.Add(r.Id)) continue;
                        conn.Execute("INSERT INTO kv (id, v) VALUES (@Id, @V) ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v", r);
                    }
                });
            }
            """),
        new(Guard, "guard-field-cache-idempotent-write", false, "an in-memory cache skips rewriting unchanged values; the write itself is an overwrite", """
            class Sink
            {
                private readonly Dictionary<string, string> lastWritten = new();
                public void Wire(IDStream<(string K, string V)> kvs, StackExchange.Redis.IDatabase redis) => kvs.ForEachBatch((batch, time) =>
                {
                    foreach (var kv in batch)
                    {
                        if (lastWritten.TryGetValue(kv.K, out var old) && old == kv.V) continue;
                        redis.StringSet("cfg:" + kv.K, kv.V);
                        lastWritten[kv.K] = kv.V;
                    }
                });
            }
            """),
        new(Guard, "guard-redis-setadd-mail", false, "SADD's result (added or not) stored in Redis guards the mail durably", """
            class Sink
            {
                public void Wire(IDStream<string> users, StackExchange.Redis.IDatabase redis) => users.ForEachBatch(async (batch, time, ct) =>
                {
                    using var smtp = new MailKit.Net.Smtp.SmtpClient();
                    foreach (var u in batch)
                    {
                        if (await redis.SetAddAsync("welcomed", u))
                            await smtp.SendAsync(new MimeKit.MimeMessage { Subject = "Welcome" }, ct);
                    }
                });
            }
            """),
        new(Guard, "guard-memory-set-at-most-once", false, "an in-memory set with at-most-once delivery: no replay to deduplicate", """
            class Sink
            {
                private readonly HashSet<string> sent = new();
                public void Wire(IDStream<string> alerts, HttpClient http) => alerts.ForEachBatch(async (batch, time, ct) =>
                {
                    foreach (var a in batch)
                        if (sent.Add(a)) await http.PostAsync("https://pager.example.com/alerts", new StringContent(a), ct);
                }, DeliveryGuarantee.AtMostOnce);
            }
            """),
        new(Guard, "guard-memory-set-for-log-only", false, "an in-memory set throttles log lines; the write is batch-keyed", """
            class Sink
            {
                private readonly HashSet<string> warned = new();
                public void Wire(IDStream<string> lines) => lines.ForEachBatch((batch, time) =>
                {
                    foreach (var l in batch)
                        if (l.Length > 1000 && warned.Add(l[..20])) Console.WriteLine($"long line starting {l[..20]}");
                    File.WriteAllLines($"out/{time.Milliseconds}.txt", batch);
                });
            }
            """),
        new(Guard, "guard-db-select-exists-then-post", false, "the sink asks the database (where the POST's receipt is recorded by upsert) before posting", """
            class Sink
            {
                public void Wire(IDStream<string> invoices, HttpClient http, Npgsql.NpgsqlConnection conn) => invoices.ForEachBatch(async (batch, time, ct) =>
                {
                    foreach (var i in batch)
                    {
                        var done = await conn.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM posted WHERE invoice = @i)", new { i });
                        if (done) continue;
                        await http.PostAsync("https://erp.example.com/invoices", new StringContent(i), ct);
                        await conn.ExecuteAsync("INSERT INTO posted (invoice) VALUES (@i) ON CONFLICT DO NOTHING", new { i });
                    }
                });
            }
            """),
        new(Guard, "guard-repository-check-then-publish", false, "a repository method asks the database whether the event was published, then publishes and records it", """
            class Outbox
            {
                private readonly Npgsql.NpgsqlConnection conn;
                public Outbox(Npgsql.NpgsqlConnection conn) => this.conn = conn;
                public Task<bool> AlreadySentAsync(string id) => conn.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM outbox WHERE id = @id)", new { id });
                public Task MarkSentAsync(string id) => conn.ExecuteAsync("INSERT INTO outbox (id) VALUES (@id) ON CONFLICT DO NOTHING", new { id });
            }
            class Sink
            {
                public void Wire(IDStream<(string Id, string Json)> events, Outbox outbox, Confluent.Kafka.IProducer<string, string> producer) => events.ForEachBatch(async (batch, time, ct) =>
                {
                    foreach (var e in batch)
                    {
                        if (await outbox.AlreadySentAsync(e.Id)) continue;
                        await producer.ProduceAsync("events", new Confluent.Kafka.Message<string, string> { Key = e.Id, Value = e.Json }, ct);
                        await outbox.MarkSentAsync(e.Id);
                    }
                });
            }
            """),
        new(Guard, "guard-static-dictionary-last-sent-mail", true, "a static dictionary of last mail times guards a digest mail; a restart forgets it", """
            class Sink
            {
                private static readonly ConcurrentDictionary<string, DateTime> lastMailed = new();
                public void Wire(IDStream<(string User, int Count)> digests) => digests.ForEachBatch((batch, time) =>
                {
                    using var smtp = new System.Net.Mail.SmtpClient("smtp.example.com");
                    foreach (var d in batch)
                    {
                        if (lastMailed.TryGetValue(d.User, out var last) && time.ToDateTimeOffset().UtcDateTime - last < TimeSpan.FromHours(1)) continue;
                        smtp.Send("digest@example.com", d.User, "Your digest", $"{d.Count} new items");
                        lastMailed[d.User] = time.ToDateTimeOffset().UtcDateTime;
                    }
                });
            }
            """),
    ];
}
