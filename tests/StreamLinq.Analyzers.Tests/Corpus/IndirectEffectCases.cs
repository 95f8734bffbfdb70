namespace StreamLinq.Analyzers.Tests.Corpus;

/// <summary>Family 4: effects one step away, in a helper, through a ref argument, through a local alias; and helpers that are harmless.</summary>
internal static partial class LabelledCorpus
{
    private const string Indirect = "4 effects one step away";

    public static IEnumerable<CorpusCase> IndirectEffects =>
    [
        new(Indirect, "ind-helper-increments-field", true, "the sink calls a helper that increments a field", """
            class Sink
            {
                private readonly Dictionary<string, int> counts = new();
                public void Wire(IDStream<string> words) => words.ForEachBatch((batch, time) =>
                {
                    foreach (var w in batch) Record(w);
                });
                private void Record(string word)
                {
                    counts.TryGetValue(word, out var n);
                    counts[word] = n + 1;
                }
            }
            """),
        new(Indirect, "ind-helper-appends-static-list", true, "a static helper appends to a static list", """
            static class AuditTrail
            {
                private static readonly List<string> entries = new();
                public static void Write(string entry) => entries.Add(entry);
            }
            class Sink
            {
                public void Wire(IDStream<string> events) => events.ForEachBatch((batch, time) =>
                {
                    foreach (var e in batch) AuditTrail.Write($"{time}: {e}");
                });
            }
            """),
        new(Indirect, "ind-ref-argument-to-static", true, "a static total is passed by ref to a helper that adds to it", """
            class Sink
            {
                private static long total;
                public void Wire(IDStream<long> amounts) => amounts.ForEachBatch((batch, time) =>
                {
                    foreach (var a in batch) Accumulate(ref total, a);
                });
                private static void Accumulate(ref long sum, long amount) => sum += amount;
            }
            """),
        new(Indirect, "ind-local-alias-static-list", true, "var list = s_all; list.Add(x) appends to the static list", """
            class Sink
            {
                private static readonly List<string> s_all = new();
                public void Wire(IDStream<string> xs) => xs.ForEachBatch((batch, time) =>
                {
                    var list = s_all;
                    foreach (var x in batch) list.Add(x);
                });
            }
            """),
        new(Indirect, "ind-local-alias-field-dictionary", true, "a local aliasing a field dictionary is incremented", """
            class TallySink : IBatchSink<string>
            {
                private readonly Dictionary<string, int> tally = new();
                public Task WriteBatchAsync(IReadOnlyList<string> batch, BatchTime time, CancellationToken cancellationToken)
                {
                    var t = tally;
                    foreach (var k in batch) t[k] = t.GetValueOrDefault(k) + 1;
                    return Task.CompletedTask;
                }
            }
            """),
        new(Indirect, "ind-helper-sql-update", true, "the sink delegates to a repository method that runs UPDATE ... SET n = n + 1", """
            class Repository
            {
                private readonly Npgsql.NpgsqlConnection conn;
                public Repository(Npgsql.NpgsqlConnection conn) => this.conn = conn;
                public void Bump(string key) => conn.Execute("UPDATE counters SET n = n + 1 WHERE key = @key", new { key });
            }
            class Sink
            {
                public void Wire(IDStream<string> keys, Repository repo) => keys.ForEachBatch((batch, time) =>
                {
                    foreach (var k in batch) repo.Bump(k);
                });
            }
            """),
        new(Indirect, "ind-helper-plain-insert", true, "a helper method runs a plain INSERT for every record", """
            record Event(string Kind, string Body);
            class Sink
            {
                private readonly Npgsql.NpgsqlConnection conn = new("Host=db");
                public void Wire(IDStream<Event> events) => events.ForEachBatch((batch, time) =>
                {
                    foreach (var e in batch) Save(e);
                });
                private void Save(Event e) => conn.Execute("INSERT INTO events (kind, body) VALUES (@Kind, @Body)", e);
            }
            """),
        new(Indirect, "ind-method-group-sink-helper", true, "a method-group sink calls a helper that pushes onto Redis", """
            class Sink
            {
                private readonly StackExchange.Redis.IDatabase redis;
                public Sink(StackExchange.Redis.IDatabase redis) => this.redis = redis;
                public void Wire(IDStream<string> xs) => xs.ForEachBatch(Write);
                private void Write(IReadOnlyList<string> batch, BatchTime time)
                {
                    foreach (var x in batch) Push(x);
                }
                private void Push(string x) => redis.ListRightPush("recent", x);
            }
            """),
        new(Indirect, "ind-transform-helper-reads-clock", true, "a Select calls a helper that stamps the record with DateTime.UtcNow", """
            record Click(string User);
            record Stamped(string User, DateTime At);
            class Query
            {
                public IDStream<Stamped> Build(IDStream<Click> clicks) => clicks.Select(c => Stamp(c));
                private static Stamped Stamp(Click c) => new(c.User, DateTime.UtcNow);
            }
            """),
        new(Indirect, "ind-transform-property-reads-clock", true, "a Where reads a computed property whose getter reads the clock", """
            record Session(string User, DateTime Started)
            {
                public bool IsFresh => DateTime.UtcNow - Started < TimeSpan.FromMinutes(5);
            }
            class Query
            {
                public IDStream<Session> Build(IDStream<Session> sessions) => sessions.Where(s => s.IsFresh);
            }
            """),
        new(Indirect, "ind-foreach-shared-objects", true, "iterates a field's accounts and adds to each balance", """
            class Account { public string Id = ""; public decimal Balance; }
            class Sink
            {
                private readonly List<Account> accounts = new();
                public void Wire(IDStream<(string Id, decimal Amount)> credits) => credits.ForEachBatch((batch, time) =>
                {
                    foreach (var c in batch)
                    foreach (var a in accounts)
                        if (a.Id == c.Id) a.Balance += c.Amount;
                });
            }
            """),
        new(Indirect, "ind-getoradd-then-increment", true, "a local obtained by GetOrAdd from a field is a shared counter object", """
            class Counter { public long Value; }
            class Sink
            {
                private readonly ConcurrentDictionary<string, Counter> counters = new();
                public void Wire(IDStream<string> keys) => keys.ForEachBatch((batch, time) =>
                {
                    foreach (var k in batch)
                    {
                        var counter = counters.GetOrAdd(k, _ => new Counter());
                        Interlocked.Increment(ref counter.Value);
                    }
                });
            }
            """),
        new(Indirect, "ind-two-levels-deep", true, "the sink calls a helper that calls another helper appending to a file", """
            class Sink
            {
                public void Wire(IDStream<string> lines) => lines.ForEachBatch((batch, time) => Flush(batch));
                private static void Flush(IReadOnlyList<string> lines)
                {
                    foreach (var l in lines) WriteLine(l);
                }
                private static void WriteLine(string line) => File.AppendAllText("audit.log", line + Environment.NewLine);
            }
            """),

        new(Indirect, "ind-helper-pure-formatting", false, "the helper only formats a string; the write is batch-keyed", """
            class Sink
            {
                public void Wire(IDStream<(string K, int V)> rows) => rows.ForEachBatch((batch, time) =>
                {
                    File.WriteAllLines($"out/{time.Milliseconds}.csv", batch.Select(Format));
                });
                private static string Format((string K, int V) row) => $"{row.K},{row.V}";
            }
            """),
        new(Indirect, "ind-helper-local-accumulator", false, "the helper sums into its own local and returns the result", """
            class Sink
            {
                public void Wire(IDStream<int> xs, StackExchange.Redis.IDatabase redis) => xs.ForEachBatch((batch, time) =>
                {
                    redis.StringSet($"sum:{time.Milliseconds}", Sum(batch).ToString());
                });
                private static long Sum(IReadOnlyList<int> values)
                {
                    long total = 0;
                    foreach (var v in values) total += v;
                    return total;
                }
            }
            """),
        new(Indirect, "ind-local-copy-of-value-field", false, "var n = count; n++ copies a number: the field is untouched", """
            class Sink
            {
                private int count;
                public void Wire(IDStream<string> xs) => xs.ForEachBatch((batch, time) =>
                {
                    var n = count;
                    foreach (var _ in batch) n++;
                    Console.WriteLine($"{time}: {n}");
                });
            }
            """),
        new(Indirect, "ind-helper-upsert", false, "the repository helper runs an upsert keyed by batch time and key", """
            class Repository
            {
                private readonly Npgsql.NpgsqlConnection conn;
                public Repository(Npgsql.NpgsqlConnection conn) => this.conn = conn;
                public void Save(long batchMs, string key, long n) =>
                    conn.Execute("INSERT INTO counts (batch_ms, key, n) VALUES (@batchMs, @key, @n) ON CONFLICT (batch_ms, key) DO UPDATE SET n = EXCLUDED.n", new { batchMs, key, n });
            }
            class Sink
            {
                public void Wire(IDStream<(string Key, long N)> counts, Repository repo) => counts.ForEachBatch((batch, time) =>
                {
                    foreach (var c in batch) repo.Save(time.Milliseconds, c.Key, c.N);
                });
            }
            """),
        new(Indirect, "ind-local-alias-of-fresh-list", false, "a local aliasing a list created in the call", """
            class Sink
            {
                public void Wire(IDStream<string> xs) => xs.ForEachBatch((batch, time) =>
                {
                    var fresh = new List<string>();
                    var alias = fresh;
                    foreach (var x in batch) alias.Add(x);
                    File.WriteAllLines($"out-{time.Milliseconds}.txt", fresh);
                });
            }
            """),
        new(Indirect, "ind-helper-reset-buffer", false, "a helper clears a field buffer and refills it for this batch only", """
            class Sink
            {
                private readonly List<string> buffer = new();
                public void Wire(IDStream<string> xs) => xs.ForEachBatch((batch, time) =>
                {
                    buffer.Clear();
                    foreach (var x in batch) buffer.Add(x.Trim());
                    File.WriteAllLines($"out-{time.Milliseconds}.txt", buffer);
                });
            }
            """),
        new(Indirect, "ind-transform-helper-deterministic", false, "a Select helper derives its value from the record only", """
            record Click(string User, DateTime At);
            record Hourly(string User, int Hour);
            class Query
            {
                public IDStream<Hourly> Build(IDStream<Click> clicks) => clicks.Select(c => ToHourly(c));
                private static Hourly ToHourly(Click c) => new(c.User.ToLowerInvariant(), c.At.Hour);
            }
            """),
        new(Indirect, "ind-transform-property-deterministic", false, "a computed property that reads only the record's fields", """
            record Order(decimal Price, int Qty)
            {
                public decimal Total => Price * Qty;
            }
            class Query
            {
                public IDStream<Order> Build(IDStream<Order> orders) => orders.Where(o => o.Total > 100m);
            }
            """),
        new(Indirect, "ind-helper-returns-new-dictionary", false, "the helper builds and returns a new dictionary", """
            class Sink
            {
                public void Wire(IDStream<string> words, StackExchange.Redis.IDatabase redis) => words.ForEachBatch((batch, time) =>
                {
                    foreach (var (w, n) in Count(batch)) redis.HashSet($"wc:{time.Milliseconds}", w, n.ToString());
                });
                private static Dictionary<string, int> Count(IEnumerable<string> words)
                {
                    var d = new Dictionary<string, int>();
                    foreach (var w in words) d[w] = d.GetValueOrDefault(w) + 1;
                    return d;
                }
            }
            """),
        new(Indirect, "ind-idempotent-marked-helper", false, "the helper that posts is marked [IdempotentSink] after review (the endpoint deduplicates)", """
            class Sink
            {
                public void Wire(IDStream<string> events, HttpClient http) => events.ForEachBatch(async (batch, time, ct) =>
                {
                    foreach (var e in batch) await Notify(http, e, ct);
                });
                [IdempotentSink]
                private static Task Notify(HttpClient http, string e, CancellationToken ct) => http.PostAsync("https://dedup.example.com/events", new StringContent(e), ct);
            }
            """),
        new(Indirect, "ind-extension-method-helper", true, "an extension method of the project increments a static dictionary", """
            static class Metrics
            {
                private static readonly Dictionary<string, long> counters = new();
                public static void Count(this string name) => counters[name] = counters.GetValueOrDefault(name) + 1;
            }
            class Sink
            {
                public void Wire(IDStream<string> events) => events.ForEachBatch((batch, time) =>
                {
                    foreach (var e in batch) e.Count();
                });
            }
            """),
        new(Indirect, "ind-local-lambda-bumps-static", true, "a lambda stored in a local of the sink increments a static dictionary", """
            class Sink
            {
                private static readonly Dictionary<string, int> s_counts = new();
                public void Wire(IDStream<string> words) => words.ForEachBatch((batch, time) =>
                {
                    Action<string> bump = w => s_counts[w] = s_counts.GetValueOrDefault(w) + 1;
                    foreach (var w in batch) bump(w);
                });
            }
            """),
        new(Indirect, "ind-constructor-registers-static", true, "the sink news up an entry whose constructor adds itself to a static registry", """
            class AuditEntry
            {
                public static readonly List<AuditEntry> All = new();
                public AuditEntry(string text) { Text = text; All.Add(this); }
                public string Text { get; }
            }
            class Sink
            {
                public void Wire(IDStream<string> events) => events.ForEachBatch((batch, time) =>
                {
                    foreach (var e in batch) _ = new AuditEntry(e);
                });
            }
            """),
        new(Indirect, "ind-constructor-sets-own-fields", false, "a constructor that only sets the new object's own fields", """
            class Row
            {
                public Row(string key, int n) { Key = key; N = n; Count++; }
                public string Key { get; }
                public int N { get; }
                public int Count { get; private set; }
            }
            class Sink
            {
                public void Wire(IDStream<(string K, int N)> xs) => xs.ForEachBatch((batch, time) =>
                {
                    var rows = batch.Select(x => new Row(x.K, x.N)).ToList();
                    File.WriteAllLines($"rows-{time.Milliseconds}.csv", rows.Select(r => $"{r.Key},{r.N}"));
                });
            }
            """),
    ];
}
