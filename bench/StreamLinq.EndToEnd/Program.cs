using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using StreamLinq;
using StreamLinq.EndToEnd;

// The end-to-end harness: a real StreamingContext on the system clock, fed at a steady rate,
// running a grouped count/sum per batch. For each batch interval it reports the throughput the
// engine sustained, how much of each interval processing took (busy) and so the rate one batch
// runner could keep up with (capacity: records over processing time), the latency from a
// batch's end to its output completing, and how late the batch was sealed. Then the engine's fixed cost: batches with no records.
var options = HarnessOptions.Parse(args);
if (options is null)
{
    Console.WriteLine(HarnessOptions.Usage);
    return 1;
}

Console.WriteLine($"StreamLinq end-to-end harness: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {options.Seconds} s per run, offered {options.Rate:N0} records/s");
Console.WriteLine();
Console.WriteLine("interval  records/s sustained  busy  capacity/s  batch p50    batch p99    batch max    sealed late p50/p99    batches");
foreach (var interval in options.Intervals)
{
    var result = await LoadRun.RunAsync(interval, options.Rate, options.Seconds, options.Parallelism);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{Format(interval),-9} {result.RecordsPerSecond,19:N0}  {result.Busy,4:P0}  {result.RecordsPerSecond / Math.Max(result.Busy, 1e-9) / 1e6,8:N1} M  {Format(result.Latency.P50),-12} {Format(result.Latency.P99),-12} {Format(result.Latency.Max),-12} {Format(result.SealLateness.P50) + " / " + Format(result.SealLateness.P99),-22} {result.Batches}"));
}

Console.WriteLine();
var empty = await EmptyBatchRun.RunAsync(TimeSpan.FromMilliseconds(10), options.Seconds);
Console.WriteLine("Engine cost of an empty batch (10 ms interval, one output):");
Console.WriteLine($"  processing (read inputs, run plan, run output): p50 {Format(empty.Processing.P50)}, p99 {Format(empty.Processing.P99)}, max {Format(empty.Processing.Max)}");
Console.WriteLine($"  batch end to output done (adds timer wake-up and queueing): p50 {Format(empty.Latency.P50)}, p99 {Format(empty.Latency.P99)}, max {Format(empty.Latency.Max)}");
Console.WriteLine($"  {empty.Batches} batches");
return 0;

static string Format(TimeSpan span) => span.TotalMilliseconds switch
{
    >= 1000 => $"{span.TotalSeconds:N2} s",
    >= 1 => $"{span.TotalMilliseconds:N1} ms",
    _ => $"{span.TotalMicroseconds:N0} µs",
};

namespace StreamLinq.EndToEnd
{
    /// <summary>The command line: every run is short by default; flags make it longer or heavier.</summary>
    internal sealed record HarnessOptions(double Seconds, long Rate, TimeSpan[] Intervals, int Parallelism)
    {
        public const string Usage = """
            usage: StreamLinq.EndToEnd [--seconds S] [--rate RECORDS_PER_SECOND] [--intervals MS,MS,...] [--parallelism N]
              --seconds      length of each run (default 3)
              --rate         records offered per second (default 2000000)
              --intervals    batch intervals in milliseconds (default 10,100,1000)
              --parallelism  partitions per batch (default: all cores)
            """;

        public static HarnessOptions? Parse(string[] args)
        {
            var options = new HarnessOptions(3, 2_000_000, [TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1)], Environment.ProcessorCount);
            for (var i = 0; i < args.Length; i++)
            {
                var value = i + 1 < args.Length ? args[i + 1] : null;
                switch (args[i])
                {
                    case "--seconds" when double.TryParse(value, CultureInfo.InvariantCulture, out var seconds) && seconds > 0:
                        options = options with { Seconds = seconds };
                        break;
                    case "--rate" when long.TryParse(value, CultureInfo.InvariantCulture, out var rate) && rate > 0:
                        options = options with { Rate = rate };
                        break;
                    case "--intervals" when value is not null:
                        options = options with { Intervals = [.. value.Split(',').Select(ms => TimeSpan.FromMilliseconds(int.Parse(ms, CultureInfo.InvariantCulture)))] };
                        break;
                    case "--parallelism" when int.TryParse(value, CultureInfo.InvariantCulture, out var parallelism) && parallelism > 0:
                        options = options with { Parallelism = parallelism };
                        break;
                    default:
                        return null;
                }

                i++;
            }

            return options;
        }
    }

    /// <summary>p50, p99 and max of a set of durations.</summary>
    internal readonly record struct Percentiles(TimeSpan P50, TimeSpan P99, TimeSpan Max)
    {
        public static Percentiles Of(IEnumerable<TimeSpan> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length == 0
                ? default
                : new Percentiles(sorted[(sorted.Length - 1) / 2], sorted[(int)Math.Ceiling(sorted.Length * 0.99) - 1], sorted[^1]);
        }
    }

    /// <summary>A benchmark record.</summary>
    internal readonly record struct Event(int Key, long Value, long Timestamp);

    /// <summary>Collects the context's batch events.</summary>
    internal sealed class BatchRecorder : IStreamingListener
    {
        public ConcurrentQueue<BatchInfo> Completed { get; } = new();

        public void OnBatchCompleted(BatchInfo batch) => Completed.Enqueue(batch);
    }

    /// <summary>One run under load: a producer offers records at a steady rate into a queue stream.</summary>
    internal static class LoadRun
    {
        /// <param name="SealLateness">How long after its end each batch was sealed: the timer's wake-up delay.</param>
        public sealed record Result(double RecordsPerSecond, double Busy, Percentiles Latency, Percentiles SealLateness, int Batches);

        public static async Task<Result> RunAsync(TimeSpan interval, long rate, double seconds, int parallelism)
        {
            // Records are pre-generated: the producer only hands out slices, so what is measured is the engine.
            // About a chunk per millisecond, so that even a low rate fills every batch.
            var chunk = (int)Math.Clamp(rate / 1000, 1, 10_000);
            var random = new Random(1);
            var pool = Enumerable.Range(0, 100).Select(c => Enumerable.Range(0, chunk).Select(i => new Event(random.Next(1000), random.Next(1_000_000), i)).ToArray()).ToArray();
            var queue = new ConcurrentQueue<IEnumerable<Event>>();
            var recorder = new BatchRecorder();
            var latencies = new ConcurrentQueue<TimeSpan>();
            await using var context = new StreamingContext(interval, new StreamingOptions { MaxDegreeOfParallelism = parallelism });
            context.AddListener(recorder);
            context.QueueStream(queue, oneAtATime: false)
                .GroupBy(e => e.Key)
                .Select(g => new { g.Key, Count = g.Count(), Sum = g.Sum(e => e.Value) })
                .ForEachBatch((batch, time) => latencies.Enqueue(DateTimeOffset.UtcNow - time.ToDateTimeOffset()));
            await context.StartAsync();

            var watch = Stopwatch.StartNew();
            long offered = 0;
            var next = 0;
            while (watch.Elapsed.TotalSeconds < seconds)
            {
                var due = (long)(watch.Elapsed.TotalSeconds * rate);
                while (offered + chunk <= due)
                {
                    queue.Enqueue(pool[next++ % pool.Length]);
                    offered += chunk;
                }

                await Task.Delay(1);
            }

            await context.StopAsync();
            var batches = recorder.Completed.Where(b => b.Failure is null && b.RecordCount > 0).ToArray();
            var records = batches.Sum(b => b.RecordCount ?? 0);
            var busy = batches.Sum(b => b.ProcessingDelay?.Ticks ?? 0) / (double)TimeSpan.FromSeconds(seconds).Ticks;
            var lateness = Percentiles.Of(batches.Select(b => TimeSpan.FromTicks(b.SubmissionTime - b.Time.Ticks)));
            return new Result(records / seconds, busy, Percentiles.Of(latencies), lateness, batches.Length);
        }
    }

    /// <summary>Batches with no records: what the engine itself costs per batch.</summary>
    internal static class EmptyBatchRun
    {
        public sealed record Result(Percentiles Processing, Percentiles Latency, int Batches);

        public static async Task<Result> RunAsync(TimeSpan interval, double seconds)
        {
            var recorder = new BatchRecorder();
            var latencies = new ConcurrentQueue<TimeSpan>();
            await using var context = new StreamingContext(interval);
            context.AddListener(recorder);
            context.QueueStream(new ConcurrentQueue<IEnumerable<Event>>())
                .Where(e => e.Value > 0)
                .ForEachBatch((batch, time) => latencies.Enqueue(DateTimeOffset.UtcNow - time.ToDateTimeOffset()));
            await context.StartAsync();
            await Task.Delay(TimeSpan.FromSeconds(seconds));
            await context.StopAsync();
            var batches = recorder.Completed.Where(b => b.Failure is null).ToArray();
            return new Result(Percentiles.Of(batches.Select(b => b.ProcessingDelay ?? TimeSpan.Zero)), Percentiles.Of(latencies), batches.Length);
        }
    }
}
