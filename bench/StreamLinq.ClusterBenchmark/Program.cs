using System.Diagnostics;
using System.Globalization;
using StreamLinq;
using StreamLinq.ClusterBenchmark;
using YahooStreamingBenchmark;

// Cluster mode's costs, measured through the public API (StreamLinq.Distributed and
// StreamLinq.Orleans) on a source with no broker behind it (GeneratedPartitions):
//   1. the driver's own work per batch (cut, checkpoint, acknowledge) for 1 to 256 partitions;
//   2. a whole batch on one silo (cut, one executor call per partition, the reducers, the
//      checkpoint) with empty partitions, batches back to back: the driver's fan-out;
//   3. what the shuffle sends per record read, and the map stage's time per record;
//   4. the Yahoo Streaming Benchmark's query on 1 silo against 2 silos, interleaved, and on 2
//      silos against the same query written so that executors ship records, not partials.
// --quick (default) takes about a minute and a half; --full measures each cell longer.
var full = args.Contains("--full");
var measure = TimeSpan.FromSeconds(full ? 8 : 3);
var pairs = full ? 5 : 3;
Console.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}, load average {LoadAverage()}, {(full ? "--full" : "--quick")}");

Console.WriteLine();
Console.WriteLine("## The driver per batch, by partitions");
Console.WriteLine();
Console.WriteLine("| partitions | cut + checkpoint + acknowledge, µs per batch | µs per partition | offsets + checkpoint, bytes per batch | whole batch on 1 silo (fan-out), µs per batch | µs per partition |");
Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
foreach (var partitions in new[] { 1, 4, 16, 64, 256 })
{
    var driver = await DriverCost.MeasureAsync(partitions, measure / 3);
    var fanOut = await FanOutCost.MeasureAsync(partitions, measure);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {partitions} | {driver.MicrosecondsPerBatch:N1} | {driver.MicrosecondsPerBatch / partitions:N2} | {driver.BytesPerBatch:N0} | {fanOut:N0} | {fanOut / partitions:N0} |"));
}

Console.WriteLine();
Console.WriteLine("## The shuffle, per record read (one map task of 100,000 events)");
Console.WriteLine();
Console.WriteLine("| what | shuffled bytes per record read | µs per record read | against the baseline |");
Console.WriteLine("|---|---:|---:|---:|");
var shuffles = await ShuffleCost.MeasureAsync(100_000);
foreach (var shuffle in shuffles)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {shuffle.Query} | {shuffle.BytesPerRecord:N2} | {shuffle.MicrosecondsPerRecord:N3} | {shuffle.MicrosecondsPerRecord / shuffles[0].MicrosecondsPerRecord:N1}x |"));
}

Console.WriteLine();
Console.WriteLine($"## YSB, 1 silo against 2 silos in one process ({pairs} interleaved pairs, {measure.TotalSeconds} s each after a warm-up)");
Console.WriteLine();
Console.WriteLine("| pair | 1 silo, events/s | 2 silos, events/s | 2 silos / 1 silo | 2 silos: share of silo 1 | 2 silos, records shipped, events/s | partials / records |");
Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
var ratios = new List<double>();
var combining = new List<double>();
for (var pair = 1; pair <= pairs; pair++)
{
    var one = await SiloScaling.MeasureAsync(1, measure);
    var two = await SiloScaling.MeasureAsync(2, measure);
    var records = await SiloScaling.MeasureAsync(2, measure, shipRecords: true);
    ratios.Add(two.EventsPerSecond / one.EventsPerSecond);
    combining.Add(two.EventsPerSecond / records.EventsPerSecond);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {pair} | {one.EventsPerSecond:N0} | {two.EventsPerSecond:N0} | {ratios[^1]:N2} | {two.FirstSiloShare:P0} | {records.EventsPerSecond:N0} | {combining[^1]:N2} |"));
}

ratios.Sort();
combining.Sort();
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"2 silos / 1 silo: median {ratios[ratios.Count / 2]:N2} (min {ratios[0]:N2}, max {ratios[^1]:N2}); on 2 silos, pre-aggregated / records shipped: median {combining[combining.Count / 2]:N2} (min {combining[0]:N2}, max {combining[^1]:N2}); load average at the end {LoadAverage()}"));
return 0;

static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";
