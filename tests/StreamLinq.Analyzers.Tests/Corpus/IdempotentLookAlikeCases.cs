namespace StreamLinq.Analyzers.Tests.Corpus;

/// <summary>
/// Issue 14, items 7 and 8: code that looks like accumulation but that a replayed batch leaves
/// unchanged (or that no replay reaches), beside near misses that a replay does break. Plain tuples,
/// so that the corpus's own case type can take them in (<c>new CorpusCase(Family, Id, ShouldWarn,
/// Reason, Code)</c>, see <c>LabelledCorpus.IdempotentLookAlikes</c>); each case's code compiles
/// with the corpus's global usings and library stubs, inside a namespace of its own.
/// </summary>
internal static class IdempotentLookAlikeCases
{
    private const string Flags = "7 idempotent look-alikes";
    private const string NoCheckpoint = "8 no checkpoint";

    public static IEnumerable<(string Family, string Id, bool ShouldWarn, string Reason, string Code)> All =>
    [
        (Flags, "flags-or-enum", false, "setting an enum flag twice leaves it set", """
            [Flags] enum Seen { None = 0, Errors = 1 }
            class Sink
            {
                private Seen seen;
                public void Wire(IDStream<string> s) => s.ForEachBatch((batch, time) => { if (batch.Count > 0) seen |= Seen.Errors; });
            }
            """),
        (Flags, "flags-or-bool", false, "'any error' OR-ed with a value that does not read it is the same after a replay", """
            class Sink
            {
                private bool anyLong;
                public void Wire(IDStream<string> s) => s.ForEachBatch((batch, time) => { foreach (var w in batch) anyLong |= w.Length > 80; });
            }
            """),
        (Flags, "flags-and-bool", false, "'all valid' AND-ed with a value that does not read it is the same after a replay", """
            class Sink
            {
                private bool allValid = true;
                public void Wire(IDStream<int> s) => s.ForEachBatch((batch, time) => allValid &= batch.All(x => x >= 0));
            }
            """),
        (Flags, "flags-clear-bit", false, "clearing a bit twice leaves it clear", """
            class Sink
            {
                private int mask = 7;
                public void Wire(IDStream<int> s) => s.ForEachBatch((batch, time) => mask &= ~4);
            }
            """),
        (Flags, "flags-or-spelled-out", false, "x = x | flag is x |= flag", """
            class Sink
            {
                private int mask;
                public void Wire(IDStream<int> s) => s.ForEachBatch((batch, time) => { mask = mask | 2; });
            }
            """),
        (Flags, "flags-or-reads-itself", true, "mask |= mask << 1 depends on the value: a replay shifts again", """
            class Sink
            {
                private int mask = 1;
                public void Wire(IDStream<int> s) => s.ForEachBatch((batch, time) => mask |= mask << 1);
            }
            """),
        (Flags, "flags-xor-toggles", true, "^= toggles: a replay undoes the first run", """
            class Sink
            {
                private int mask;
                public void Wire(IDStream<int> s) => s.ForEachBatch((batch, time) => mask ^= 2);
            }
            """),
        (Flags, "coalesce-assign-field", false, "??= writes only the first time: a replay finds it set", """
            class Sink
            {
                private string? first;
                public void Wire(IDStream<string> s) => s.ForEachBatch((batch, time) => { if (batch.Count > 0) first ??= batch[0]; });
            }
            """),
        (Flags, "coalesce-spelled-out", false, "x = x ?? y is x ??= y", """
            class Sink
            {
                private string? first;
                public void Wire(IDStream<string> s) => s.ForEachBatch((batch, time) => { if (batch.Count > 0) first = first ?? batch[0]; });
            }
            """),
        (Flags, "initialiser-fresh-dto", false, "an object initialiser fills the object it creates; the list it goes into is the sink's own", """
            class Dto { public int Count { get; set; } public string Key { get; set; } = ""; }
            class Sink
            {
                public void Wire(IDStream<(string Key, int Count)> s) => s.ForEachBatch((batch, time) =>
                {
                    var rows = new List<Dto>();
                    foreach (var d in batch) rows.Add(new Dto { Key = d.Key, Count = d.Count + 1 });
                    Console.WriteLine(rows.Count);
                });
            }
            """),
        (Flags, "initialiser-with-expression", false, "a with expression makes a copy: N + 1 changes nothing that outlives the call", """
            record Row(string Key, int N);
            class Sink
            {
                public void Wire(IDStream<Row> s) => s.ForEachBatch((batch, time) =>
                {
                    foreach (var d in batch) Console.WriteLine(d with { N = d.N + 1 });
                });
            }
            """),
        (Flags, "initialiser-collection", false, "a collection initialiser adds to the collection it creates", """
            class Sink
            {
                public void Wire(IDStream<int> s) => s.ForEachBatch((batch, time) =>
                {
                    var summary = new List<int> { batch.Count, batch.Sum() };
                    var byName = new Dictionary<string, int> { { "count", batch.Count } };
                    Console.WriteLine(summary.Count + byName.Count);
                });
            }
            """),
        (Flags, "initialiser-then-field-update", true, "the copy is fresh, but adding it to a field's total double-counts on replay", """
            class Dto { public int Count { get; set; } }
            class Sink
            {
                private readonly Dto total = new();
                public void Wire(IDStream<int> s) => s.ForEachBatch((batch, time) =>
                {
                    var copy = new Dto { Count = batch.Count };
                    total.Count += copy.Count;
                });
            }
            """),
        (Flags, "delete-batch-then-insert", false, "the batch's rows are deleted by batch time before being inserted again", """
            class Db { public void Execute(string sql, object args) { } }
            class Sink
            {
                public void Wire(IDStream<string> s, Db db) => s.ForEachBatch((batch, time) =>
                {
                    db.Execute("DELETE FROM audit WHERE batch_time = @t", new { t = time.Milliseconds });
                    foreach (var line in batch)
                        db.Execute("INSERT INTO audit (batch_time, line) VALUES (@t, @line)", new { t = time.Milliseconds, line });
                });
            }
            """),
        (Flags, "delete-then-insert-one-text", false, "DELETE by (batch, region) and INSERT of the same key in one command", """
            class Db { public void Execute(string sql, object args) { } }
            class Sink
            {
                public void Wire(IDStream<(string Region, int N)> s, Db db) => s.ForEachBatch((batch, time) =>
                {
                    foreach (var r in batch)
                        db.Execute("DELETE FROM totals WHERE batch = @b AND region = @r; INSERT INTO totals (batch, region, n) VALUES (@b, @r, @n)",
                            new { b = time.Milliseconds, r = r.Region, n = r.N });
                });
            }
            """),
        (Flags, "insert-then-delete", true, "the DELETE runs after the INSERT: a replay inserts the rows a second time", """
            class Db { public void Execute(string sql, object args) { } }
            class Sink
            {
                public void Wire(IDStream<string> s, Db db) => s.ForEachBatch((batch, time) =>
                {
                    foreach (var line in batch)
                        db.Execute("INSERT INTO audit (batch_time, line) VALUES (@t, @line)", new { t = time.Milliseconds, line });
                    db.Execute("DELETE FROM audit WHERE batch_time = @t", new { t = time.Milliseconds });
                });
            }
            """),
        (Flags, "delete-range-then-insert", true, "deleting older batches does not clear this batch's rows from the first run", """
            class Db { public void Execute(string sql, object args) { } }
            class Sink
            {
                public void Wire(IDStream<string> s, Db db) => s.ForEachBatch((batch, time) =>
                {
                    db.Execute("DELETE FROM audit WHERE batch_time < @t", new { t = time.Milliseconds });
                    foreach (var line in batch)
                        db.Execute("INSERT INTO audit (batch_time, line) VALUES (@t, @line)", new { t = time.Milliseconds, line });
                });
            }
            """),
        (Flags, "batch-time-guarded-counter", false, "the counter is applied once per batch time; the mark dies with the counter", """
            class Sink
            {
                private long total;
                private BatchTime? applied;
                public void Wire(IDStream<int> s) => s.ForEachBatch((batch, time) =>
                {
                    if (applied is null || time > applied)
                    {
                        total += batch.Count;
                        applied = time;
                    }
                });
            }
            """),
        (Flags, "batch-time-guard-never-set", true, "the mark is never advanced: every replay passes the guard", """
            class Sink
            {
                private long total;
                private BatchTime? applied;
                public void Wire(IDStream<int> s) => s.ForEachBatch((batch, time) =>
                {
                    if (applied is null || time > applied) { total += batch.Count; }
                });
            }
            """),
        (NoCheckpoint, "captured-count-plain-context", false, "no checkpoint, no replay: the captured count is exact for the life of the process (information only)", """
            class Program
            {
                public static async Task RunAsync(ConcurrentQueue<IEnumerable<string>> queue)
                {
                    var context = new StreamingContext(TimeSpan.FromSeconds(1));
                    var count = 0;
                    context.QueueStream(queue).ForEachBatch((batch, time) => count += batch.Count);
                    await context.StartAsync();
                    Console.WriteLine(count);
                }
            }
            """),
        (NoCheckpoint, "captured-count-checkpointed-factory", true, "a GetOrCreate factory checkpoints: the count captured outside it survives the restart and the replay adds again", """
            class Program
            {
                public static StreamingContext Run(ConcurrentQueue<IEnumerable<string>> queue, string directory)
                {
                    var count = 0;
                    return StreamingContext.GetOrCreate(directory, () =>
                    {
                        var context = new StreamingContext(TimeSpan.FromSeconds(1));
                        context.QueueStream(queue).ForEachBatch((batch, time) => count += batch.Count);
                        return context;
                    });
                }
            }
            """),
        (NoCheckpoint, "captured-count-context-from-caller", true, "the context comes from elsewhere and may checkpoint", """
            class Program
            {
                public static void Wire(StreamingContext context, ConcurrentQueue<IEnumerable<string>> queue)
                {
                    var count = 0;
                    context.QueueStream(queue).ForEachBatch((batch, time) => count += batch.Count);
                }
            }
            """),
    ];
}
