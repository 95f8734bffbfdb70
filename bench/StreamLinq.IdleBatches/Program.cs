using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using StreamLinq;

// What an idle context costs at short batch intervals, through the public API only: a context
// whose one input never receives anything (an observable that never pushes) and one output.
// Prints the process CPU time over wall time (the share of one core) for the context, and for
// the same process doing nothing for as long (the baseline measured in the same run), the bytes
// allocated and the thread wakes (voluntary context switches of all the process's threads, Linux)
// per batch, and the lag of each batch's output call behind its batch boundary (p50, p99, max).
//
//   dotnet run -c Release --project bench/StreamLinq.IdleBatches -- [--seconds 20] [--interval-ms 10]
var seconds = Argument("--seconds", 20);
var intervalMs = Argument("--interval-ms", 10);

var idle = Measure(TimeSpan.FromSeconds(seconds), () => Task.Delay(TimeSpan.FromSeconds(seconds)));
var lags = new ConcurrentQueue<TimeSpan>();
var starts = new ConcurrentQueue<TimeSpan>();
var context = new StreamingContext(TimeSpan.FromMilliseconds(intervalMs));
context.AddListener(new StartLag(starts));
context.FromObservable(new Never<int>()).ForEachBatch((_, time) => lags.Enqueue(DateTimeOffset.UtcNow - time.ToDateTimeOffset()));
await context.StartAsync();
await Task.Delay(TimeSpan.FromSeconds(3)); // JIT, tiering up to optimised code and the first batches out of the measure
lags.Clear();
starts.Clear();
var allocated = GC.GetTotalAllocatedBytes(precise: true);
var switches = VoluntarySwitches();
var busy = Measure(TimeSpan.FromSeconds(seconds), () => Task.Delay(TimeSpan.FromSeconds(seconds)));
allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
switches = VoluntarySwitches() - switches;
var batches = lags.Count;
await context.StopAsync();

Console.WriteLine(FormattableString.Invariant($"interval {intervalMs} ms, {seconds} s, {Environment.ProcessorCount} cores"));
Console.WriteLine(FormattableString.Invariant($"idle process (baseline): {idle:P2} of a core"));
Console.WriteLine(FormattableString.Invariant($"idle context:            {busy:P2} of a core ({busy - idle:P2} above the baseline)"));
Console.WriteLine(FormattableString.Invariant($"per batch: {allocated / (double)Math.Max(1, batches):N0} B allocated, {(switches < 0 ? "n/a" : (switches / (double)Math.Max(1, batches)).ToString("F2", CultureInfo.InvariantCulture))} thread wakes (all the process's threads)"));
Print("output call lag behind the boundary", lags);
Print("processing start lag (BatchInfo)", starts);

static double Measure(TimeSpan span, Func<Task> run)
{
    var process = Process.GetCurrentProcess();
    process.Refresh();
    var cpu = process.TotalProcessorTime;
    var wall = Stopwatch.StartNew();
    run().GetAwaiter().GetResult();
    process.Refresh();
    return (process.TotalProcessorTime - cpu) / wall.Elapsed;
}

// Voluntary context switches of every thread of the process: each is a thread going to sleep,
// so over many batches, the wakes. -1 where /proc does not say (not Linux).
static long VoluntarySwitches()
{
    try
    {
        return Directory.GetDirectories("/proc/self/task")
            .SelectMany(task => File.ReadLines(Path.Combine(task, "status")))
            .Where(line => line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal))
            .Sum(line => long.Parse(line.AsSpan("voluntary_ctxt_switches:".Length).Trim(), CultureInfo.InvariantCulture));
    }
    catch (IOException)
    {
        return -1;
    }
    catch (UnauthorizedAccessException)
    {
        return -1;
    }
}

static void Print(string what, ConcurrentQueue<TimeSpan> values)
{
    var sorted = values.Select(v => v.TotalMilliseconds).Order().ToArray();
    if (sorted.Length == 0)
    {
        Console.WriteLine($"{what}: no batch");
        return;
    }

    double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
    Console.WriteLine(FormattableString.Invariant($"{what}: {sorted.Length} batches, p50 {At(0.5):F3} ms, p99 {At(0.99):F3} ms, max {sorted[^1]:F3} ms"));
}

int Argument(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

/// <summary>An observable that never pushes: a push source with no input.</summary>
internal sealed class Never<T> : IObservable<T>
{
    public IDisposable Subscribe(IObserver<T> observer) => new Nothing();

    private sealed class Nothing : IDisposable
    {
        public void Dispose()
        {
        }
    }
}

/// <summary>How late each batch's processing started after its boundary, as the engine reports it.</summary>
internal sealed class StartLag(ConcurrentQueue<TimeSpan> lags) : IStreamingListener
{
    public void OnBatchStarted(BatchInfo batch)
    {
        if (batch.ProcessingStartTime is { } start)
        {
            lags.Enqueue(TimeSpan.FromTicks(start - batch.Time.Ticks));
        }
    }
}
