using System.Globalization;
using StreamLinq;
using StreamLinq.Latency;

// Issue 20's latency harness, through the public API only. Every figure is taken in this run:
// first the throughput of one producer into an observable source as a ratio of the same producer
// into an observer that does nothing (interleaved repetitions), then per-record latency at 20 %
// and 80 % of the measured capacity for each batch interval, then overload at 150 % of a
// receiver whose buffer bound is the bottleneck, with back pressure off and on.
var seconds = args.Length > 1 && args[0] == "--seconds" ? double.Parse(args[1], CultureInfo.InvariantCulture) : 2;
var length = TimeSpan.FromSeconds(seconds);
var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
Console.WriteLine($"StreamLinq latency harness: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {seconds} s per run, load average {load} at start");

if (args.Contains("--store-only"))
{
    for (var rep = 0; rep < 3; rep++)
    {
        var (alone, aloneCpu) = await LatencyRun.ProducerAloneAsync(length);
        var stored = await LatencyRun.RunAsync(TimeSpan.FromHours(1), null, length, backPressure: false);
        Console.WriteLine($"  producer alone {alone / 1e6:N1} M/s, into a receiver that is never sealed {stored.AcceptedPerSecond / 1e6:N1} M/s, ratio {stored.AcceptedPerSecond / alone:N2}");
        Console.WriteLine($"    alone: {aloneCpu}; stored: {stored.Breakdown.Split('\n')[0]}");
    }

    return 0;
}

// One interval at one load for as long as asked (to profile it): --case MS SHARE, the capacity in M/s
// after --capacity or measured here once; eager work off, then on (--no-eager, --eager-only: one of
// them, each first in its process), from the interval after --eager-from MS instead of the default threshold.
if (Array.IndexOf(args, "--case") is var at and >= 0)
{
    var caseInterval = TimeSpan.FromMilliseconds(double.Parse(args[at + 1], CultureInfo.InvariantCulture));
    var caseShare = double.Parse(args[at + 2], CultureInfo.InvariantCulture);
    var caseCapacity = Array.IndexOf(args, "--capacity") is var c and >= 0
        ? double.Parse(args[c + 1], CultureInfo.InvariantCulture) * 1e6
        : (await LatencyRun.RunAsync(TimeSpan.FromMilliseconds(100), null, TimeSpan.FromSeconds(2), backPressure: false)).AcceptedPerSecond;
    Console.WriteLine($"capacity {caseCapacity / 1e6:N1} M/s");
    Console.WriteLine("interval  load          offered/s   accepted/s  p50      p99      max      p50/int  p99/int  batches");
    TimeSpan? eagerFrom = Array.IndexOf(args, "--eager-from") is var f and >= 0 ? TimeSpan.FromMilliseconds(double.Parse(args[f + 1], CultureInfo.InvariantCulture)) : null;
    foreach (var eager in args.Contains("--no-eager") ? [false] : args.Contains("--eager-only") ? [true] : new[] { false, true })
    {
        var caseRun = await LatencyRun.RunAsync(caseInterval, caseCapacity * caseShare, Longer(length, caseInterval), backPressure: false, eager: eager, eagerFrom: eagerFrom);
        Print(caseInterval, eager ? $"{caseShare:P0}" : $"{caseShare:P0} no eager", caseCapacity * caseShare, caseRun);
        Console.WriteLine(caseRun.Breakdown);
    }

    return 0;
}

// 1. Throughput: producer alone against producer into the push source (100 ms batches, the full query).
var ratios = new List<double>();
var intoSource = new List<double>();
for (var rep = 0; rep < 3; rep++)
{
    var (alone, _) = await LatencyRun.ProducerAloneAsync(length);
    var source = (await LatencyRun.RunAsync(TimeSpan.FromMilliseconds(100), null, length, backPressure: false)).AcceptedPerSecond;
    intoSource.Add(source);
    ratios.Add(source / alone);
    Console.WriteLine($"  rep {rep + 1}: producer alone {alone / 1e6:N1} M/s, into the push source {source / 1e6:N1} M/s, ratio {source / alone:N2}");
}

ratios.Sort();
Console.WriteLine($"push source / producer alone: min {ratios[0]:N2}, median {ratios[1]:N2}, max {ratios[2]:N2}");
intoSource.Sort();
var capacity = intoSource[1];
Console.WriteLine($"capacity (median records/s into the source with the query): {capacity / 1e6:N1} M/s");
Console.WriteLine();

// 2. Latency per interval and load (--overload skips to part 3).
Console.WriteLine("interval  load          offered/s   accepted/s  p50      p99      max      p50/int  p99/int  batches");
foreach (var ms in args.Contains("--overload") ? [] : new[] { 10, 50, 100, 500, 1000 })
{
    // At 80 % also with eager work off (StreamingOptions.EagerWorkMinInterval), the baseline of the
    // same run, where the interval is long enough for eager work to be on by default.
    var interval = TimeSpan.FromMilliseconds(ms);
    foreach (var (share, eager) in interval >= new StreamingOptions().EagerWorkMinInterval ? new[] { (0.2, true), (0.8, false), (0.8, true) } : [(0.2, true), (0.8, true)])
    {
        var run = await LatencyRun.RunAsync(interval, capacity * share, Longer(length, interval), backPressure: false, eager: eager);
        Print(interval, eager ? $"{share:P0}" : $"{share:P0} no eager", capacity * share, run);
        Console.WriteLine("    " + run.Breakdown.Replace("\n", "\n    ", StringComparison.Ordinal));
    }
}

// 3. Overload: the receiver's bound is the bottleneck (BufferCapacity per 100 ms = half the
//    capacity), offered 150 % of that; back pressure off, on, and dropping instead of waiting.
//    Each case runs twice: latency from the moment a record was due (the producer's backlog
//    counts), then from the moment it was sent (what the engine adds once it takes a record).
Console.WriteLine();
Console.WriteLine("overload at 150 % of a receiver bound (100 ms batches; latency from due, then from sending):");
Console.WriteLine("case                     offered/s   accepted/s  p50      p99      max      sent p50  sent p99  sent max  held-back events  rate-limit events  blocked ms  dropped");
var bound = (int)(capacity * 0.5 / 10);
var offered = bound * 10 * 1.5;
foreach (var (name, backPressure, policy) in new[] { ("back pressure off", false, FullBufferPolicy.Wait), ("back pressure on", true, FullBufferPolicy.Wait), ("on, DropNewest", true, FullBufferPolicy.DropNewest) })
{
    var run = await LatencyRun.RunAsync(TimeSpan.FromMilliseconds(100), offered, length, backPressure, new ReceiverOptions { BufferCapacity = bound, OnFullBuffer = policy });
    var sent = (await LatencyRun.RunAsync(TimeSpan.FromMilliseconds(100), offered, length, backPressure, new ReceiverOptions { BufferCapacity = bound, OnFullBuffer = policy }, stampWhenSent: true)).Latency;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name,-24} {offered / 1e6,7:N2} M  {run.AcceptedPerSecond / 1e6,7:N2} M  {Ms(run.Latency.Percentile(0.5)),-8} {Ms(run.Latency.Percentile(0.99)),-8} {Ms(run.Latency.Percentile(1)),-8} {Ms(sent.Percentile(0.5)),-9} {Ms(sent.Percentile(0.99)),-9} {Ms(sent.Percentile(1)),-9} {run.BlockedEvents,16}  {run.RateLimitEvents,17}  {run.BlockedMilliseconds,10:N0}  {run.Dropped:N0}"));
}

Console.WriteLine($"load average at end: {(File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?")}");
return 0;

static TimeSpan Longer(TimeSpan length, TimeSpan interval) => TimeSpan.FromTicks(Math.Max(length.Ticks, interval.Ticks * 5));

static void Print(TimeSpan interval, string share, double offered, RunResult run)
{
    var ms = interval.TotalMilliseconds;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{ms + " ms",-9} {share,-13} {offered / 1e6,7:N2} M  {run.AcceptedPerSecond / 1e6,7:N2} M  {Ms(run.Latency.Percentile(0.5)),-8} {Ms(run.Latency.Percentile(0.99)),-8} {Ms(run.Latency.Percentile(1)),-8} {run.Latency.Percentile(0.5).TotalMilliseconds / ms,7:N2}  {run.Latency.Percentile(0.99).TotalMilliseconds / ms,7:N2}  {run.Batches}"));
}

static string Ms(TimeSpan span) => span.TotalMilliseconds.ToString("N1", CultureInfo.InvariantCulture);
