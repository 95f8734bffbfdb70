// The engine under overload, alone in its process so that its resident memory can be measured:
// a push source offered ten times what the engine processes, with default settings. The engine's
// capacity is set by its output, which takes 1 / OVERLOAD_CAPACITY seconds per record. Prints
// "RSS <second> <bytes> <records accepted> <records processed>" every second for
// OVERLOAD_SECONDS seconds, then stops abruptly and prints "DONE".
using System.Diagnostics;
using StreamLinq;

var seconds = Setting("OVERLOAD_SECONDS", 60);
var capacity = Setting("OVERLOAD_CAPACITY", 100_000);
var offered = 10L * capacity;
long accepted = 0;
long processed = 0;

// Default settings; OVERLOAD_MAX_QUEUED only to measure against an (almost) unbounded queue.
var options = Environment.GetEnvironmentVariable("OVERLOAD_MAX_QUEUED") is { } queued
    ? new StreamingOptions { MaxQueuedBatches = int.Parse(queued, System.Globalization.CultureInfo.InvariantCulture) }
    : new StreamingOptions();
await using var context = new StreamingContext(TimeSpan.FromMilliseconds(100), options);
context.FromAsyncEnumerable(Produce(offered, () => Interlocked.Increment(ref accepted)))
    .Select(n => n * 2)
    .ForEachBatch(async (batch, _, cancellationToken) =>
    {
        long sum = 0;
        foreach (var n in batch)
        {
            sum += n;
        }

        GC.KeepAlive(sum);
        await Task.Delay(TimeSpan.FromSeconds((double)batch.Count / capacity), cancellationToken);
        Interlocked.Add(ref processed, batch.Count);
    });

Console.WriteLine($"RSS 0 {ResidentBytes()} 0 0");
await context.StartAsync();
var clock = Stopwatch.StartNew();
for (var second = 1; second <= seconds; second++)
{
    // A starved process may be past the second already: it reports at once.
    var wait = TimeSpan.FromSeconds(second) - clock.Elapsed;
    if (wait > TimeSpan.Zero)
    {
        await Task.Delay(wait);
    }

    Console.WriteLine($"RSS {second} {ResidentBytes()} {Interlocked.Read(ref accepted)} {Interlocked.Read(ref processed)}");
}

await context.StopAsync(graceful: false);
Console.WriteLine("DONE");
return 0;

// Offers records at a fixed rate; a producer held back by the receiver falls behind and offers
// what it can, as a network client would.
static async IAsyncEnumerable<long> Produce(long perSecond, Action accepted)
{
    var clock = Stopwatch.StartNew();
    for (long n = 0; ; n++)
    {
        if ((n & 1023) == 0 && n > perSecond * clock.Elapsed.TotalSeconds)
        {
            await Task.Delay(1);
        }

        yield return n;
        accepted();
    }
}

static long ResidentBytes()
{
    foreach (var line in File.ReadLines("/proc/self/status"))
    {
        if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
        {
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
    }

    return Environment.WorkingSet;
}

static int Setting(string name, int fallback) =>
    int.TryParse(Environment.GetEnvironmentVariable(name), System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : fallback;
