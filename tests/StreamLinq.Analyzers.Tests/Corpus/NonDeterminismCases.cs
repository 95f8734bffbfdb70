namespace StreamLinq.Analyzers.Tests.Corpus;

/// <summary>Family 3: where a sink writes chosen by the clock, a GUID, a random number or a per-process hash.</summary>
internal static partial class LabelledCorpus
{
    private const string NonDeterminism = "3 non-determinism inside sinks";

    public static IEnumerable<CorpusCase> NonDeterministicSinks =>
    [
        new(NonDeterminism, "nd-file-name-clock", true, "the file name comes from DateTime.UtcNow: a replay writes a second file", """
            class Sink
            {
                public void Wire(IDStream<string> lines) => lines.ForEachBatch((batch, time) =>
                {
                    var path = Path.Combine("out", $"batch-{DateTime.UtcNow:yyyyMMddHHmmssfff}.txt");
                    File.WriteAllLines(path, batch);
                });
            }
            """),
        new(NonDeterminism, "nd-file-name-guid", true, "a file named by Guid.NewGuid is a new file on every replay", """
            class Sink
            {
                public void Wire(IDStream<string> lines) => lines.ForEachBatch(async (batch, time, ct) =>
                {
                    await File.WriteAllLinesAsync($"/data/export/{Guid.NewGuid()}.csv", batch, ct);
                });
            }
            """),
        new(NonDeterminism, "nd-row-id-guid-upsert", true, "the upsert's key is a fresh GUID: ON CONFLICT never fires on replay", """
            record Reading(string Sensor, double Value);
            class Sink
            {
                public void Wire(IDStream<Reading> readings, Npgsql.NpgsqlConnection conn) => readings.ForEachBatch((batch, time) =>
                {
                    foreach (var r in batch)
                    {
                        conn.Execute("INSERT INTO readings (id, sensor, value) VALUES (@Id, @Sensor, @Value) ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value",
                            new { Id = Guid.NewGuid(), r.Sensor, r.Value });
                    }
                });
            }
            """),
        new(NonDeterminism, "nd-redis-key-clock", true, "the Redis key is built from DateTime.Now: a replay writes under a new key", """
            class Sink
            {
                public void Wire(IDStream<(string User, string Page)> views, StackExchange.Redis.IDatabase redis) => views.ForEachBatch((batch, time) =>
                {
                    foreach (var v in batch)
                    {
                        redis.HashSet($"views:{DateTime.Now:yyyyMMddHHmm}", v.User, v.Page);
                    }
                });
            }
            """),
        new(NonDeterminism, "nd-message-id-guid", true, "a MessageId from Guid.NewGuid defeats the broker's duplicate detection", """
            class Sink
            {
                public void Wire(IDStream<string> jobs, Azure.Messaging.ServiceBus.ServiceBusSender sender) => jobs.ForEachBatch(async (batch, time, ct) =>
                {
                    foreach (var j in batch)
                    {
                        await sender.SendMessageAsync(new Azure.Messaging.ServiceBus.ServiceBusMessage(j) { MessageId = Guid.NewGuid().ToString() }, ct);
                    }
                });
            }
            """),
        new(NonDeterminism, "nd-key-string-hashcode", true, "string.GetHashCode is randomised per process: the shard key moves after a restart", """
            class Sink
            {
                public void Wire(IDStream<(string User, string Event)> events, StackExchange.Redis.IDatabase redis) => events.ForEachBatch((batch, time) =>
                {
                    foreach (var e in batch)
                    {
                        var shard = Math.Abs(e.User.GetHashCode()) % 16;
                        redis.HashSet($"events:{shard}:{time.Milliseconds}", e.User, e.Event);
                    }
                });
            }
            """),
        new(NonDeterminism, "nd-random-row-id", true, "a row id from a shared Random: every replay inserts under new ids", """
            record Order(string Sku);
            class Sink
            {
                private static readonly Random random = new();
                public void Wire(IDStream<Order> orders, Npgsql.NpgsqlConnection conn) => orders.ForEachBatch((batch, time) =>
                {
                    foreach (var o in batch)
                    {
                        var id = random.NextInt64();
                        conn.Execute("INSERT INTO orders (id, sku) VALUES (@id, @Sku) ON CONFLICT (id) DO NOTHING", new { id, o.Sku });
                    }
                });
            }
            """),
        new(NonDeterminism, "nd-sink-class-file-name", true, "a sink class names its output from the wall clock instead of the batch time", """
            class ExportSink : IBatchSink<string>
            {
                private readonly string folder;
                public ExportSink(string folder) => this.folder = folder;
                public Task WriteBatchAsync(IReadOnlyList<string> batch, BatchTime time, CancellationToken cancellationToken)
                {
                    var stamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                    return File.WriteAllLinesAsync(Path.Combine(folder, "part-" + stamp + ".txt"), batch, cancellationToken);
                }
            }
            """),
        new(NonDeterminism, "nd-kafka-key-guid", true, "the Kafka key (and so the compacted record) is a fresh GUID per replay", """
            class Sink
            {
                public void Wire(IDStream<string> docs, Confluent.Kafka.IProducer<string, string> producer) => docs.ForEachBatch(async (batch, time, ct) =>
                {
                    foreach (var d in batch)
                    {
                        await producer.ProduceAsync("docs", new Confluent.Kafka.Message<string, string> { Key = Guid.NewGuid().ToString("N"), Value = d }, ct);
                    }
                });
            }
            """),
        new(NonDeterminism, "nd-idempotency-key-guid", true, "an Idempotency-Key from Guid.NewGuid makes every replay a new charge", """
            class Sink
            {
                public void Wire(IDStream<string> charges, HttpClient http) => charges.ForEachBatch(async (batch, time, ct) =>
                {
                    foreach (var c in batch)
                    {
                        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.example.com/charges") { Content = new StringContent(c) };
                        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
                        await http.SendAsync(request, ct);
                    }
                });
            }
            """),
        new(NonDeterminism, "nd-partition-from-clock", true, "the table partition comes from the clock: a replay after midnight lands elsewhere", """
            record Row(string Key, int Value);
            class Sink
            {
                public void Wire(IDStream<Row> rows, Npgsql.NpgsqlConnection conn) => rows.ForEachBatch((batch, time) =>
                {
                    var table = "facts_" + DateTime.UtcNow.ToString("yyyyMMdd");
                    foreach (var r in batch)
                    {
                        conn.Execute($"INSERT INTO {table} (key, value) VALUES (@Key, @Value) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", r);
                    }
                });
            }
            """),
        new(NonDeterminism, "nd-tickcount-object-name", true, "an object-store name from Environment.TickCount64", """
            class Sink
            {
                public void Wire(IDStream<string> logs, HttpClient http) => logs.ForEachBatch(async (batch, time, ct) =>
                {
                    var objectName = $"logs/{Environment.TickCount64}.log";
                    await http.PutAsync("https://bucket.example.com/" + objectName, new StringContent(string.Join("\n", batch)), ct);
                });
            }
            """),
        new(NonDeterminism, "nd-random-shared-file", true, "Random.Shared picks the file: a replay writes a different file", """
            class Sink
            {
                public void Wire(IDStream<string> lines) => lines.ForEachBatch((batch, time) =>
                {
                    var fileName = $"spool-{Random.Shared.Next(1000)}.txt";
                    File.WriteAllLines(fileName, batch);
                });
            }
            """),

        new(NonDeterminism, "nd-log-timestamp", false, "the clock only goes to a log line", """
            class Sink
            {
                public void Wire(IDStream<string> lines) => lines.ForEachBatch((batch, time) =>
                {
                    File.WriteAllLines($"out/{time.Milliseconds}.txt", batch);
                    Console.WriteLine($"{DateTime.UtcNow:O} wrote {batch.Count} lines for {time}");
                });
            }
            """),
        new(NonDeterminism, "nd-stopwatch-timing", false, "a Stopwatch measures how long the write took, for a metric", """
            class Sink
            {
                public void Wire(IDStream<string> lines, Action<double> recordMs) => lines.ForEachBatch((batch, time) =>
                {
                    var watch = System.Diagnostics.Stopwatch.StartNew();
                    File.WriteAllLines($"out/{time.Milliseconds}.txt", batch);
                    recordMs(watch.Elapsed.TotalMilliseconds);
                });
            }
            """),
        new(NonDeterminism, "nd-retry-jitter", false, "Random jitters the retry delay, not where the data goes", """
            class Sink
            {
                public void Wire(IDStream<string> docs, HttpClient http) => docs.ForEachBatch(async (batch, time, ct) =>
                {
                    for (var attempt = 0; ; attempt++)
                    {
                        var response = await http.PutAsync($"https://store.example.com/b/{time.Milliseconds}", new StringContent(string.Join("\n", batch)), ct);
                        if (response.IsSuccessStatusCode || attempt == 5) break;
                        await Task.Delay(TimeSpan.FromMilliseconds(100 * (1 << attempt) + Random.Shared.Next(50)), ct);
                    }
                });
            }
            """),
        new(NonDeterminism, "nd-updated-at-column", false, "the clock fills an updated_at value column; the row key is the record's", """
            record Price(string Sym, decimal Px);
            class Sink
            {
                public void Wire(IDStream<Price> prices, Npgsql.NpgsqlConnection conn) => prices.ForEachBatch((batch, time) =>
                {
                    foreach (var p in batch)
                    {
                        conn.Execute("INSERT INTO prices (sym, px, updated_at) VALUES (@Sym, @Px, @UpdatedAt) ON CONFLICT (sym) DO UPDATE SET px = EXCLUDED.px, updated_at = EXCLUDED.updated_at",
                            new { p.Sym, p.Px, UpdatedAt = DateTime.UtcNow });
                    }
                });
            }
            """),
        new(NonDeterminism, "nd-batch-time-file", false, "the file is named by the batch time: a replay overwrites it", """
            class Sink
            {
                public void Wire(IDStream<string> lines) => lines.ForEachBatch((batch, time) =>
                {
                    File.WriteAllLines(Path.Combine("out", $"part-{time.ToDateTimeOffset():yyyyMMddHHmmss}.txt"), batch);
                });
            }
            """),
        new(NonDeterminism, "nd-seeded-random-sample", false, "a Random seeded from the batch time samples the same records on replay", """
            class Sink
            {
                public void Wire(IDStream<string> lines) => lines.ForEachBatch((batch, time) =>
                {
                    var random = new Random((int)(time.Milliseconds % int.MaxValue));
                    var sample = batch.Where(_ => random.Next(100) == 0).ToList();
                    File.WriteAllLines($"sample-{time.Milliseconds}.txt", sample);
                });
            }
            """),
        new(NonDeterminism, "nd-stable-hash-shard", false, "a stable hash (SHA-256 of the key) picks the shard", """
            class Sink
            {
                public void Wire(IDStream<(string User, string Event)> events, StackExchange.Redis.IDatabase redis) => events.ForEachBatch((batch, time) =>
                {
                    foreach (var e in batch)
                    {
                        var shard = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(e.User))[0] % 16;
                        redis.HashSet($"events:{shard}:{time.Milliseconds}", e.User, e.Event);
                    }
                });
            }
            """),
        new(NonDeterminism, "nd-correlation-id-log-only", false, "a GUID correlates log lines of one attempt and is written nowhere else", """
            class Sink
            {
                public void Wire(IDStream<string> docs, HttpClient http) => docs.ForEachBatch(async (batch, time, ct) =>
                {
                    var attempt = Guid.NewGuid();
                    Console.WriteLine($"[{attempt}] putting {batch.Count} docs");
                    await http.PutAsync($"https://store.example.com/docs/{time.Milliseconds}", new StringContent(string.Join("\n", batch)), ct);
                    Console.WriteLine($"[{attempt}] done");
                });
            }
            """),
        new(NonDeterminism, "nd-deadline-timeout", false, "DateTime.UtcNow bounds how long the sink waits, not what it writes", """
            class Sink
            {
                public void Wire(IDStream<string> lines, StackExchange.Redis.IDatabase redis) => lines.ForEachBatch((batch, time) =>
                {
                    var deadline = DateTime.UtcNow.AddSeconds(5);
                    foreach (var l in batch)
                    {
                        if (DateTime.UtcNow > deadline) throw new TimeoutException("sink took longer than 5 s");
                        redis.StringSet($"line:{time.Milliseconds}:{l.Length}", l);
                    }
                });
            }
            """),
        new(NonDeterminism, "nd-ttl-from-clock", false, "the expiry is computed from the clock; the key is the batch's", """
            class Sink
            {
                public void Wire(IDStream<string> tokens, StackExchange.Redis.IDatabase redis) => tokens.ForEachBatch((batch, time) =>
                {
                    var ttl = DateTime.UtcNow.Date.AddDays(1) - DateTime.UtcNow;
                    foreach (var t in batch) redis.StringSet("token:" + t, time.Milliseconds.ToString(), ttl);
                });
            }
            """),
        new(NonDeterminism, "nd-string-hashcode-in-memory-only", false, "GetHashCode groups records in a local dictionary before a batch-keyed write", """
            class Sink
            {
                public void Wire(IDStream<string> words) => words.ForEachBatch((batch, time) =>
                {
                    var buckets = batch.GroupBy(w => w.GetHashCode() % 4).Select(g => g.Count()).ToList();
                    File.WriteAllText($"stats-{time.Milliseconds}.txt", buckets.Sum().ToString());
                });
            }
            """),
        new(NonDeterminism, "nd-guid-v7-row-id", true, "Guid.CreateVersion7 is time-ordered but still new on every run", """
            record Row(string Body);
            class Sink
            {
                public void Wire(IDStream<Row> rows, Npgsql.NpgsqlConnection conn) => rows.ForEachBatch((batch, time) =>
                {
                    foreach (var r in batch)
                    {
                        var rowId = Guid.CreateVersion7();
                        conn.Execute("INSERT INTO rows (id, body) VALUES (@rowId, @Body) ON CONFLICT (id) DO NOTHING", new { rowId, r.Body });
                    }
                });
            }
            """),
        new(NonDeterminism, "nd-random-file-name", true, "Path.GetRandomFileName names the output: a replay writes a second file", """
            class Sink
            {
                public void Wire(IDStream<string> lines) => lines.ForEachBatch((batch, time) =>
                {
                    File.WriteAllLines(Path.Combine("spool", Path.GetRandomFileName()), batch);
                });
            }
            """),
        new(NonDeterminism, "nd-local-named-key-only-logged", false, "a local called cacheKey built from the clock only goes to a log line", """
            class Sink
            {
                public void Wire(IDStream<string> lines, StackExchange.Redis.IDatabase redis) => lines.ForEachBatch((batch, time) =>
                {
                    var cacheKey = $"debug-{DateTime.UtcNow:HHmmss}";
                    Console.WriteLine($"{cacheKey}: {batch.Count} lines");
                    redis.StringSet($"lines:{time.Milliseconds}", string.Join("\n", batch));
                });
            }
            """),
        new(NonDeterminism, "nd-helper-returns-guid-name", true, "the file name comes from a helper that returns a fresh GUID", """
            class Sink
            {
                public void Wire(IDStream<string> lines) => lines.ForEachBatch((batch, time) =>
                {
                    File.WriteAllLines(Path.Combine("out", NewName() + ".txt"), batch);
                });
                private static string NewName() => Guid.NewGuid().ToString("N");
            }
            """),
    ];
}
