// Each output below is something the StreamLinq analyzers warn about while it is typed: under
// at-least-once delivery (the default) a batch can be handed to its sink again after a crash,
// and each of these sinks would then count, append, insert or send that batch twice.
// `dotnet build samples/AnalyzerWarnings` lists the warnings; docs/analyzers/ explains each rule.
using System.Collections.Concurrent;
using StreamLinq;

var queue = new ConcurrentQueue<IEnumerable<string>>();
queue.Enqueue(["to be or not to be", "that is the question"]);

await using var context = new StreamingContext(TimeSpan.FromSeconds(1));
var lines = context.QueueStream(queue);
var words = lines.SelectMany(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries));

// SLQ0006: the wall clock read in a transformation; a replayed batch computes different records.
var stamped = words.Select(word => new { Word = word, Seen = DateTime.UtcNow });

// SLQ0001: a running total kept in a captured variable counts a replayed batch twice.
long total = 0;
words.ForEachBatch((batch, time) => total += batch.Count);

// SLQ0002: a list that outlives the sink call collects a replayed batch's records twice.
var everyWord = new List<string>();
words.ForEachBatch((batch, time) => everyWord.AddRange(batch));

// SLQ0003: appending to a file writes a replayed batch twice (SaveAsTextFiles replaces its folder instead).
var log = Path.Combine(Path.GetTempPath(), "streamlinq-sample-words.log");
stamped.ForEachBatch((batch, time) => File.AppendAllLines(log, batch.Select(s => $"{s.Seen:O} {s.Word}")));

// SLQ0004: a plain INSERT adds a replayed batch's rows again; ON CONFLICT ... DO UPDATE would not.
words.ForEachBatch((batch, time) =>
{
    foreach (var word in batch)
    {
        Execute("INSERT INTO word_counts (word, n, batch_time) VALUES (@word, 1, @time)", word, time);
    }
});

// SLQ0008: an UPDATE that adds to the stored value applies a replayed batch twice.
words.ForEachBatch((batch, time) => Execute("UPDATE totals SET n = n + @n WHERE id = 1", batch.Count));

// SLQ0009: a POST is sent again when its batch is replayed (an Idempotency-Key made from the batch time would make it safe).
using var http = new HttpClient();
words.ForEachBatch(async (batch, time, cancellationToken) =>
    await http.PostAsync("https://hooks.example.com/words", new StringContent(string.Join(' ', batch)), cancellationToken));

// SLQ0010: a file named from a fresh GUID: a replayed batch writes a second file instead of replacing the first.
words.ForEachBatch((batch, time) => File.WriteAllLines(Path.Combine(Path.GetTempPath(), $"words-{Guid.NewGuid()}.txt"), batch));

// SLQ0007: exactly once asked of a sink that is neither transactional nor idempotent; the context would refuse to start.
words.ForEachBatch((batch, time) => Console.WriteLine($"{time}: {batch.Count} words"), DeliveryGuarantee.ExactlyOnce);

// No warning: printing is at most once, and a write keyed by the batch time is idempotent.
var sizes = new Dictionary<BatchTime, int>();
words.ForEachBatch((batch, time) => sizes[time] = batch.Count);
words.Print();

Console.WriteLine(context.Explain());

// A stand-in for a database command (an NpgsqlCommand in a real sink).
static void Execute(string sql, params object[] parameters) => Console.WriteLine($"{sql} <- {string.Join(", ", parameters)}");
