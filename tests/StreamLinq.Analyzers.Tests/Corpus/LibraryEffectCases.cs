namespace StreamLinq.Analyzers.Tests.Corpus;

/// <summary>Family 2: library calls that read-modify-write or reach outside the process, and their replay-safe counterparts.</summary>
internal static partial class LabelledCorpus
{
    private const string Library = "2 library read-modify-write and external effects";

    public static IEnumerable<CorpusCase> LibraryEffects =>
    [
        new(Library, "lib-addorupdate-sum", true, "AddOrUpdate's update factory adds to the old value", """
            class Sink
            {
                private readonly ConcurrentDictionary<string, long> totals = new();
                public void Wire(IDStream<(string Key, long N)> counts) => counts.ForEachBatch((batch, time) =>
                {
                    foreach (var (key, n) in batch)
                    {
                        totals.AddOrUpdate(key, n, (_, old) => old + n);
                    }
                });
            }
            """),
        new(Library, "lib-addorupdate-method-factory", true, "the update factory is a lambda with a block body that reads the old list", """
            class Sink
            {
                private static readonly ConcurrentDictionary<string, List<string>> byUser = new();
                public void Wire(IDStream<(string User, string Page)> views) => views.ForEachBatch((batch, time) =>
                {
                    foreach (var v in batch)
                    {
                        byUser.AddOrUpdate(v.User, _ => new List<string> { v.Page }, (_, existing) =>
                        {
                            var copy = new List<string>(existing) { v.Page };
                            return copy;
                        });
                    }
                });
            }
            """),
        new(Library, "lib-interlocked-add", true, "Interlocked.Add to a static total counts the batch twice", """
            class Sink
            {
                private static long bytes;
                public void Wire(IDStream<byte[]> chunks) => chunks.ForEachBatch((batch, time) =>
                {
                    foreach (var c in batch) Interlocked.Add(ref bytes, c.Length);
                });
            }
            """),
        new(Library, "lib-interlocked-increment-field", true, "Interlocked.Increment on an instance field of a sink class", """
            class CountingSink : IBatchSink<string>
            {
                private int seen;
                public Task WriteBatchAsync(IReadOnlyList<string> batch, BatchTime time, CancellationToken cancellationToken)
                {
                    foreach (var _ in batch) Interlocked.Increment(ref seen);
                    return Task.CompletedTask;
                }
                public int Seen => seen;
            }
            """),
        new(Library, "lib-ef-add-savechanges", true, "EF Core Add + SaveChanges inserts new rows on every replay", """
            class Audit { public int Id { get; set; } public string Text { get; set; } = ""; }
            class AuditDb : Microsoft.EntityFrameworkCore.DbContext { public Microsoft.EntityFrameworkCore.DbSet<Audit> Audits { get; } = new(); }
            class Sink
            {
                public void Wire(IDStream<string> lines) => lines.ForEachBatch(async (batch, time, ct) =>
                {
                    await using var db = new AuditDb();
                    foreach (var l in batch) db.Audits.Add(new Audit { Text = l });
                    await db.SaveChangesAsync(ct);
                });
            }
            """),
        new(Library, "lib-ef-addrange-context", true, "DbContext.AddRange then SaveChanges: identity keys make every replay new rows", """
            class Click { public long Id { get; set; } public string Url { get; set; } = ""; }
            class ClickDb : Microsoft.EntityFrameworkCore.DbContext { }
            class ClickSink : IBatchSink<Click>
            {
                private readonly Func<ClickDb> factory;
                public ClickSink(Func<ClickDb> factory) => this.factory = factory;
                public async Task WriteBatchAsync(IReadOnlyList<Click> batch, BatchTime time, CancellationToken cancellationToken)
                {
                    using var db = factory();
                    db.AddRange(batch.ToArray());
                    await db.SaveChangesAsync(cancellationToken);
                }
            }
            """),
        new(Library, "lib-ef-tracked-increment", true, "a tracked entity's counter is incremented and saved: read-modify-write through EF", """
            class Counter { public string Key { get; set; } = ""; public long Value { get; set; } }
            class Db : Microsoft.EntityFrameworkCore.DbContext { public Microsoft.EntityFrameworkCore.DbSet<Counter> Counters { get; } = new(); }
            class Sink
            {
                public void Wire(IDStream<string> keys) => keys.ForEachBatch(async (batch, time, ct) =>
                {
                    using var db = new Db();
                    foreach (var k in batch)
                    {
                        var c = await db.Counters.FindAsync(k);
                        if (c is not null) c.Value += 1;
                    }
                    await db.SaveChangesAsync(ct);
                });
            }
            """),
        new(Library, "lib-ef-executeupdate-relative", true, "ExecuteUpdate with SetProperty(x => x.Stock, x => x.Stock - n) is an UPDATE SET stock = stock - n", """
            class Product { public int Id { get; set; } public int Stock { get; set; } }
            class Db : Microsoft.EntityFrameworkCore.DbContext { public Microsoft.EntityFrameworkCore.DbSet<Product> Products { get; } = new(); }
            class Sink
            {
                public void Wire(IDStream<(int Id, int Qty)> sold) => sold.ForEachBatch(async (batch, time, ct) =>
                {
                    using var db = new Db();
                    foreach (var s in batch)
                    {
                        await db.Products.Where(p => p.Id == s.Id).ExecuteUpdateAsync(u => u.SetProperty(p => p.Stock, p => p.Stock - s.Qty), ct);
                    }
                });
            }
            """),
        new(Library, "lib-kafka-produce", true, "ProduceAsync publishes the batch's messages again on replay", """
            class Sink
            {
                public void Wire(IDStream<string> alerts, Confluent.Kafka.IProducer<string, string> producer) => alerts.ForEachBatch(async (batch, time, ct) =>
                {
                    foreach (var a in batch)
                    {
                        await producer.ProduceAsync("alerts", new Confluent.Kafka.Message<string, string> { Key = a, Value = a }, ct);
                    }
                });
            }
            """),
        new(Library, "lib-rabbit-publish", true, "BasicPublish sends the messages again on replay", """
            class Sink
            {
                public void Wire(IDStream<byte[]> payloads, RabbitMQ.Client.IModel channel) => payloads.ForEachBatch((batch, time) =>
                {
                    foreach (var p in batch)
                    {
                        channel.BasicPublish("events", "orders.created", null, p);
                    }
                });
            }
            """),
        new(Library, "lib-http-post", true, "HttpClient.PostAsync to a webhook posts again on replay", """
            class Sink
            {
                private static readonly HttpClient http = new();
                public void Wire(IDStream<string> events) => events.ForEachBatch(async (batch, time, ct) =>
                {
                    foreach (var e in batch)
                    {
                        using var response = await http.PostAsync("https://hooks.example.com/notify", new StringContent(e), ct);
                        response.EnsureSuccessStatusCode();
                    }
                });
            }
            """),
        new(Library, "lib-http-send-post-request", true, "SendAsync with an HttpMethod.Post request message", """
            class Sink
            {
                public void Wire(IDStream<string> orders, HttpClient http) => orders.ForEachBatch(async (batch, time, ct) =>
                {
                    var request = new HttpRequestMessage(HttpMethod.Post, "https://billing.example.com/charges")
                    {
                        Content = new StringContent(string.Join("\n", batch)),
                    };
                    await http.SendAsync(request, ct);
                });
            }
            """),
        new(Library, "lib-smtp-mail", true, "System.Net.Mail SmtpClient.Send mails the recipients again on replay", """
            class Sink
            {
                public void Wire(IDStream<string> signups) => signups.ForEachBatch((batch, time) =>
                {
                    using var smtp = new System.Net.Mail.SmtpClient("smtp.example.com");
                    foreach (var address in batch)
                    {
                        smtp.Send("noreply@example.com", address, "Welcome", "Thanks for signing up");
                    }
                });
            }
            """),
        new(Library, "lib-mailkit-mail", true, "MailKit SendAsync sends the digest again on replay", """
            class DigestSink : IBatchSink<string>
            {
                private readonly MailKit.Net.Smtp.SmtpClient smtp = new();
                public async Task WriteBatchAsync(IReadOnlyList<string> batch, BatchTime time, CancellationToken cancellationToken)
                {
                    var message = new MimeKit.MimeMessage { Subject = $"{batch.Count} new items" };
                    await smtp.SendAsync(message, cancellationToken);
                }
            }
            """),
        new(Library, "lib-servicebus-send", true, "Service Bus SendMessagesAsync without a MessageId: duplicate detection cannot drop the replay", """
            class Sink
            {
                public void Wire(IDStream<string> jobs, Azure.Messaging.ServiceBus.ServiceBusSender sender) => jobs.ForEachBatch(async (batch, time, ct) =>
                {
                    await sender.SendMessagesAsync(batch.Select(j => new Azure.Messaging.ServiceBus.ServiceBusMessage(j)), ct);
                });
            }
            """),

        new(Library, "lib-addorupdate-overwrite", false, "AddOrUpdate whose update factory ignores the old value writes the latest value", """
            class Sink
            {
                private readonly ConcurrentDictionary<string, string> lastStatus = new();
                public void Wire(IDStream<(string Id, string Status)> updates) => updates.ForEachBatch((batch, time) =>
                {
                    foreach (var u in batch) lastStatus.AddOrUpdate(u.Id, u.Status, (_, _) => u.Status);
                });
            }
            """),
        new(Library, "lib-addorupdate-max", false, "AddOrUpdate keeping Math.Max of the old and new value is idempotent", """
            class Sink
            {
                private readonly ConcurrentDictionary<string, long> highWater = new();
                public void Wire(IDStream<(string Key, long Seq)> seqs) => seqs.ForEachBatch((batch, time) =>
                {
                    foreach (var s in batch) highWater.AddOrUpdate(s.Key, s.Seq, (_, old) => Math.Max(old, s.Seq));
                });
            }
            """),
        new(Library, "lib-interlocked-exchange", false, "Interlocked.Exchange stores the last batch time: an absolute write", """
            class Sink
            {
                private static long lastBatch;
                public void Wire(IDStream<int> xs) => xs.ForEachBatch((batch, time) => Interlocked.Exchange(ref lastBatch, time.Milliseconds));
            }
            """),
        new(Library, "lib-ef-update-existing", false, "EF Update of entities keyed by the record: replay overwrites the same rows", """
            class Profile { public int Id { get; set; } public string Name { get; set; } = ""; }
            class Db : Microsoft.EntityFrameworkCore.DbContext { public Microsoft.EntityFrameworkCore.DbSet<Profile> Profiles { get; } = new(); }
            class Sink
            {
                public void Wire(IDStream<Profile> profiles) => profiles.ForEachBatch(async (batch, time, ct) =>
                {
                    using var db = new Db();
                    foreach (var p in batch) db.Profiles.Update(p);
                    await db.SaveChangesAsync(ct);
                });
            }
            """),
        new(Library, "lib-ef-add-in-memory-list-no-save", false, "Add on a List local to the call: nothing outlives the call", """
            class Sink
            {
                public void Wire(IDStream<int> xs) => xs.ForEachBatch((batch, time) =>
                {
                    var evens = new List<int>();
                    foreach (var x in batch) if (x % 2 == 0) evens.Add(x);
                    File.WriteAllText($"evens-{time.Milliseconds}.txt", string.Join(",", evens));
                });
            }
            """),
        new(Library, "lib-http-put", false, "HTTP PUT of the batch's document to a batch-keyed URL is idempotent", """
            class Sink
            {
                public void Wire(IDStream<string> docs, HttpClient http) => docs.ForEachBatch(async (batch, time, ct) =>
                {
                    await http.PutAsync($"https://store.example.com/snapshots/{time.Milliseconds}", new StringContent(string.Join("\n", batch)), ct);
                });
            }
            """),
        new(Library, "lib-http-get", false, "HTTP GET only reads: a lookup to enrich a log line", """
            class Sink
            {
                public void Wire(IDStream<string> ips, HttpClient http) => ips.ForEachBatch(async (batch, time, ct) =>
                {
                    foreach (var ip in batch)
                    {
                        var geo = await http.GetStringAsync($"https://geo.example.com/{ip}", ct);
                        Console.WriteLine($"{ip}: {geo}");
                    }
                });
            }
            """),
        new(Library, "lib-http-post-idempotency-key", false, "POST with an Idempotency-Key derived from the batch time and record: the server drops the replay", """
            class Sink
            {
                public void Wire(IDStream<(string Customer, decimal Amount)> charges, HttpClient http) => charges.ForEachBatch(async (batch, time, ct) =>
                {
                    foreach (var c in batch)
                    {
                        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.payments.example.com/v1/charges")
                        {
                            Content = new StringContent($"{c.Customer}:{c.Amount}"),
                        };
                        request.Headers.Add("Idempotency-Key", $"{time.Milliseconds}-{c.Customer}");
                        await http.SendAsync(request, ct);
                    }
                });
            }
            """),
        new(Library, "lib-servicebus-message-id", false, "Service Bus with a MessageId from batch time and key: duplicate detection drops the replay", """
            class Sink
            {
                public void Wire(IDStream<(string Id, string Body)> jobs, Azure.Messaging.ServiceBus.ServiceBusSender sender) => jobs.ForEachBatch(async (batch, time, ct) =>
                {
                    foreach (var j in batch)
                    {
                        var message = new Azure.Messaging.ServiceBus.ServiceBusMessage(j.Body) { MessageId = $"{time.Milliseconds}:{j.Id}" };
                        await sender.SendMessageAsync(message, ct);
                    }
                });
            }
            """),
        new(Library, "lib-publish-at-most-once", false, "notifications sent at most once: a lost batch is accepted, never a repeat", """
            class Sink
            {
                public void Wire(IDStream<string> alerts, Confluent.Kafka.IProducer<string, string> producer) => alerts.ForEachBatch((batch, time) =>
                {
                    foreach (var a in batch) producer.Produce("alerts", new Confluent.Kafka.Message<string, string> { Key = a, Value = a });
                }, DeliveryGuarantee.AtMostOnce);
            }
            """),
        new(Library, "lib-concurrent-dictionary-indexer", false, "writing dict[key] = value from the record is idempotent", """
            class Sink
            {
                private readonly ConcurrentDictionary<string, decimal> latest = new();
                public void Wire(IDStream<(string Sym, decimal Px)> ticks) => ticks.ForEachBatch((batch, time) =>
                {
                    foreach (var t in batch) latest[t.Sym] = t.Px;
                });
            }
            """),
        new(Library, "lib-http-post-json", true, "PostAsJsonAsync (System.Net.Http.Json) posts the batch again", """
            class Sink
            {
                public void Wire(IDStream<(string Id, int Qty)> orders, HttpClient http) => orders.ForEachBatch(async (batch, time, ct) =>
                {
                    await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(http, "https://erp.example.com/orders", batch, ct);
                });
            }
            """),
        new(Library, "lib-addorupdate-method-group", true, "AddOrUpdate's update factory is a method that adds one to the old value", """
            class Sink
            {
                private static readonly ConcurrentDictionary<string, int> hits = new();
                public void Wire(IDStream<string> pages) => pages.ForEachBatch((batch, time) =>
                {
                    foreach (var p in batch) hits.AddOrUpdate(p, 1, Increment);
                });
                private static int Increment(string key, int old) => old + 1;
            }
            """),
        new(Library, "lib-correlation-header-put", false, "a PUT of a batch-keyed document with a random correlation header: the id traces, it does not name", """
            class Sink
            {
                public void Wire(IDStream<string> docs, HttpClient http) => docs.ForEachBatch(async (batch, time, ct) =>
                {
                    using var request = new HttpRequestMessage(HttpMethod.Put, $"https://store.example.com/b/{time.Milliseconds}") { Content = new StringContent(string.Join("\n", batch)) };
                    request.Headers.Add("X-Correlation-Id", Guid.NewGuid().ToString());
                    await http.SendAsync(request, ct);
                });
            }
            """),
        new(Library, "lib-refit-post", true, "a Refit-style client whose method is declared [Post]: the request is sent again", """
            [AttributeUsage(AttributeTargets.Method)]
            sealed class PostAttribute : Attribute { public PostAttribute(string path) { } }
            interface IBillingApi
            {
                [Post("/invoices")]
                Task CreateInvoiceAsync(string customer, decimal amount);
            }
            class Sink
            {
                public void Wire(IDStream<(string Customer, decimal Amount)> invoices, IBillingApi api) => invoices.ForEachBatch(async (batch, time, ct) =>
                {
                    foreach (var i in batch) await api.CreateInvoiceAsync(i.Customer, i.Amount);
                });
            }
            """),
    ];
}
