using System.Diagnostics;
using System.Globalization;
using StreamLinq;
using StreamLinq.AdaptiveInterval;

// Adaptive batching against fixed intervals, through the public API only, all in one run: one
// context per configuration, side by side in this process, each fed the same load profile by
// its own producer and processing each batch in a modelled time (a fixed cost per batch plus a
// cost per record, slept, so that the configurations do not compete for the cores). The load
// steps from 20% to 90% of capacity and back (capacity: the records per second processing can
// take at all, 1 / cost per record), after a warm-up at 20% that is not measured (the JIT, and
// adaptive batching's way down from its 1 s start). Prints the end-to-end latency (record
// created to its batch processed) p50 and p99 per configuration and per phase (a record counts
// in the phase it was made in), and the intervals adaptive batching chose.
//
//   dotnet run -c Release --project bench/StreamLinq.AdaptiveInterval -- [--phase-seconds 8]
//       [--fixed-cost-ms 20] [--record-cost-us 20] [--fixed-ms 250,500,1000] [--headroom 0.05,0.2]
var phaseSeconds = double.Parse(Argument("--phase-seconds", "8"), CultureInfo.InvariantCulture);
var fixedCost = TimeSpan.FromMilliseconds(double.Parse(Argument("--fixed-cost-ms", "20"), CultureInfo.InvariantCulture));
var recordCost = TimeSpan.FromMicroseconds(double.Parse(Argument("--record-cost-us", "20"), CultureInfo.InvariantCulture));
var fixedIntervals = Argument("--fixed-ms", "250,500,1000").Split(',').Select(ms => TimeSpan.FromMilliseconds(int.Parse(ms, CultureInfo.InvariantCulture))).ToArray();
var headrooms = Argument("--headroom", "0.05,0.2").Split(',').Select(h => double.Parse(h, CultureInfo.InvariantCulture)).ToArray();

var capacity = 1 / recordCost.TotalSeconds;
var profile = new LoadProfile([(0.2, 4), (0.2, phaseSeconds), (0.9, phaseSeconds), (0.2, phaseSeconds)], capacity);
var model = new ProcessingModel(fixedCost, recordCost);
var runs = headrooms.Select(h => new ProfileRun(
    FormattableString.Invariant($"adaptive, headroom {h:P0}"),
    TimeSpan.FromSeconds(1),
    new AdaptiveBatchInterval(TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(2)) { Headroom = h },
    profile,
    model)).ToList();
runs.AddRange(fixedIntervals.Select(interval => new ProfileRun($"fixed {interval.TotalMilliseconds:F0} ms", interval, null, profile, model)));

Console.WriteLine(FormattableString.Invariant($"processing {fixedCost.TotalMilliseconds:F0} ms + {recordCost.TotalMicroseconds:F0} us/record: capacity {capacity:F0} records/s; load 20% -> 90% -> 20%, {phaseSeconds:F0} s each after 4 s of warm-up at 20%; adaptive: 10 ms to 2 s, starting at 1 s; {Environment.ProcessorCount} cores"));
await Task.WhenAll(runs.Select(r => r.RunAsync()));

Console.WriteLine();
Console.WriteLine("| configuration | phase | records | p50 ms | p99 ms | max ms |");
Console.WriteLine("|---|---|---|---|---|---|");
foreach (var run in runs)
{
    for (var phase = 1; phase <= profile.Phases.Count; phase++)
    {
        var latencies = run.Latencies(phase == profile.Phases.Count ? null : phase);
        var name = phase == profile.Phases.Count ? "all" : FormattableString.Invariant($"{phase}: {profile.Phases[phase].Load:P0}");
        Console.WriteLine(FormattableString.Invariant($"| {run.Name} | {name} | {latencies.Length} | {Percentile(latencies, 0.50):F0} | {Percentile(latencies, 0.99):F0} | {(latencies.Length == 0 ? 0 : latencies[^1]):F0} |"));
    }
}

Console.WriteLine();
foreach (var run in runs.Take(headrooms.Length))
{
    foreach (var phase in run.Intervals.GroupBy(i => i.Phase).Where(p => p.Key > 0))
    {
        var ms = phase.Select(i => i.Interval.TotalMilliseconds).ToArray();
        var sorted = ms.Order().ToArray();
        Console.WriteLine(FormattableString.Invariant($"{run.Name}, phase {phase.Key}: {ms.Length} batches, interval median {sorted[sorted.Length / 2]:F0} ms (min {sorted[0]:F0}, max {sorted[^1]:F0}); first ten: {string.Join(" ", ms.Take(10).Select(m => m.ToString("F0", CultureInfo.InvariantCulture)))}"));
    }
}

static double Percentile(float[] sorted, double q) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];

string Argument(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
