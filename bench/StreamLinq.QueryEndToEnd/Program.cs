using System.Diagnostics;
using System.Globalization;
using StreamLinq.QueryEndToEnd;

// Every query of bench/StreamLinq.Benchmarks end to end through the public API (a context, a
// queue stream of pre-built arrays, ForEachBatch), beside the hand-written loop, LINQ to Objects
// and Rx.NET over the same input, interleaved in one run. Ratios are speed against the loop (the
// loop's time over the way's time: 1.00 = as fast as the loop, higher is faster).
var full = args.Contains("--full");
var only = args.Zip(args.Skip(1)).Where(p => p.First == "--only").Select(p => p.Second).ToList();
var sizesGiven = args.Zip(args.Skip(1)).Where(p => p.First == "--sizes").Select(p => p.Second).LastOrDefault();
var emptyGiven = args.Zip(args.Skip(1)).Where(p => p.First == "--empty").Select(p => p.Second).LastOrDefault();
var countWay = args.Zip(args.Skip(1)).Where(p => p.First == "--count").Select(p => p.Second).LastOrDefault();
var batchesGiven = args.Zip(args.Skip(1)).Where(p => p.First == "--batches").Select(p => p.Second).LastOrDefault();
bool TakesValue(string option) => option is "--only" or "--sizes" or "--empty" or "--count" or "--batches";
var emptyOnly = 0;
var countBatches = 10;
if (args.Where((a, i) => a is not "--full" and not "--quick" and not "--allocation" and not "--scaling" && !(TakesValue(a) && i + 1 < args.Length) && !(i > 0 && TakesValue(args[i - 1]))).Any()
    || (sizesGiven is not null && !sizesGiven.Split(',').All(size => int.TryParse(size, out var n) && n > 0))
    || (emptyGiven is not null && !(int.TryParse(emptyGiven, CultureInfo.InvariantCulture, out emptyOnly) && emptyOnly > 0))
    || (countWay is not null && countWay is not "hand" and not "engine")
    || (batchesGiven is not null && !(int.TryParse(batchesGiven, CultureInfo.InvariantCulture, out countBatches) && countBatches > 0)))
{
    Console.Error.WriteLine("usage: StreamLinq.QueryEndToEnd [--quick | --full] [--only TEXT]... [--sizes N,N...] | --allocation | --empty BATCHES | --scaling   (--quick, the default: 5 repetitions of about 2 M records per cell; --full: 9 of about 8 M; --only: the queries whose name contains TEXT; --sizes: records per batch, default 1000,10000,100000,1000000; --allocation: only the push source's allocation check; --empty: only the empty-batch row, BATCHES batches in 5 repetitions; --scaling: each query at 1 M records per batch on one partition and on every core, interleaved; --count hand|engine [--batches N]: only that way of the --only queries at the --sizes, N batches (default 10) after 3 of warm-up, the driver for counting instructions)");
    return 1;
}

if (args.Contains("--allocation"))
{
    return await PushAllocation.CheckAsync(full: false);
}

if (args.Contains("--scaling"))
{
    // Issue 12 item 5: the same context and batches with MaxDegreeOfParallelism 1 and the
    // machine's core count, interleaved; speed-up = time on one partition / time on all cores.
    const int size = 1_000_000, scalingBatches = 8, scalingRepetitions = 5;
    var (scaleLeft, scaleRight) = (Workload.Records(size), Workload.Records(QueryCase.RightSize(size), seed: 7));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"Scaling end to end, {size:N0} records per batch, {scalingBatches} batches, {scalingRepetitions} repetitions, 1 against {Environment.ProcessorCount} partitions, load average {LoadAverage()}"));
    foreach (var query in Queries.All.Where(q => q.Parallelism == 1))
    {
        await using var one = await EngineRun.StartAsync(query, parallelism: 1);
        await using var all = await EngineRun.StartAsync(query, parallelism: Environment.ProcessorCount);
        var expected = query.Hand(scaleLeft, scaleRight);
        Check(query, size, "one partition", expected, one.Run(scaleLeft, scaleRight, 2));
        Check(query, size, "every core", expected, all.Run(scaleLeft, scaleRight, 2));
        var speedUps = new List<double>();
        for (var rep = 0; rep < scalingRepetitions; rep++)
        {
            var watch = Stopwatch.StartNew();
            one.Run(scaleLeft, scaleRight, scalingBatches);
            var single = watch.Elapsed;
            watch.Restart();
            all.Run(scaleLeft, scaleRight, scalingBatches);
            speedUps.Add(single / watch.Elapsed);
        }

        speedUps.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {query.Name} | {speedUps[0]:0.00} / {Median([.. speedUps]):0.00} / {speedUps[^1]:0.00} |"));
    }

    Console.WriteLine($"load average at the end: {LoadAverage()}");
    return 0;
}

if (countWay is not null)
{
    // One way alone, for an instruction count (callgrind is repeatable under load, a clock is
    // not): the difference between two counts over the difference in batches is the way's cost
    // per batch, the process's fixed costs cancel.
    var counted = only.Count == 0 ? Queries.All : [.. Queries.All.Where(q => only.Any(text => q.Name.Contains(text, StringComparison.OrdinalIgnoreCase)))];
    foreach (var size in sizesGiven is null ? [100_000] : sizesGiven.Split(',').Select(int.Parse))
    {
        var (left, right) = (Workload.Records(size), Workload.Records(QueryCase.RightSize(size), seed: 7));
        foreach (var query in counted)
        {
            var expected = query.Hand(left, right);
            if (countWay == "hand")
            {
                for (var b = 0; b < 3 + countBatches; b++)
                {
                    Check(query, size, "hand", expected, query.Hand(left, right));
                }
            }
            else
            {
                await using var run = await EngineRun.StartAsync(query, query.Parallelism);
                Check(query, size, "end to end", expected, run.Run(left, right, 3));
                Check(query, size, "end to end", expected, run.Run(left, right, countBatches));
            }
        }
    }

    return 0;
}

if (emptyOnly > 0)
{
    // Only the engine's fixed cost per batch; also the driver for counting instructions per
    // empty batch (callgrind: the difference between two counts over the difference in batches).
    // A second of warm-up: the tiered JIT recompiles the per-batch code a while after it first ran.
    await using var empty = await EngineRun.StartAsync(Queries.All[0]);
    for (var warm = Stopwatch.StartNew(); warm.ElapsedMilliseconds < 1_000;)
    {
        empty.Run([], [], 1_000);
    }

    for (var rep = 0; rep < 5; rep++)
    {
        var allocated = GC.GetTotalAllocatedBytes();
        var watch = Stopwatch.StartNew();
        empty.Run([], [], emptyOnly);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Empty batch through the public API ({Queries.All[0].Name}, one output): {watch.Elapsed.TotalMicroseconds / emptyOnly:N1} µs per batch, {(GC.GetTotalAllocatedBytes() - allocated) / (double)emptyOnly:N0} B allocated per batch, load average {LoadAverage()}"));
    }

    return 0;
}

// The first query always runs: the empty-batch line measures it.
IReadOnlyList<QueryCase> queries = only.Count == 0 ? Queries.All
    : [.. Queries.All.Where((q, i) => i == 0 || only.Any(text => q.Name.Contains(text, StringComparison.OrdinalIgnoreCase)))];

var repetitions = full ? 9 : 5;
var recordsPerCell = full ? 8_000_000 : 2_000_000;
int[] sizes = sizesGiven is null ? [1_000, 10_000, 100_000, 1_000_000] : [.. sizesGiven.Split(',').Select(int.Parse)];
string[] ways = ["hand", "LINQ", "Rx.NET", "end to end"];

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"StreamLinq end to end by query: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {repetitions} repetitions, about {recordsPerCell:N0} records per measurement, load average {LoadAverage()}"));

var inputs = sizes.ToDictionary(s => s, s => (Left: Workload.Records(s), Right: Workload.Records(QueryCase.RightSize(s), seed: 7)));
var runs = new Dictionary<string, EngineRun>();
foreach (var query in queries)
{
    runs[query.Name] = await EngineRun.StartAsync(query, query.Parallelism);
}

// Warm-up (JIT, tiering, the plans' first compilation) and the check that the four ways agree.
foreach (var size in sizes)
{
    foreach (var query in queries)
    {
        var (left, right) = inputs[size];
        var expected = query.Hand(left, right);
        for (var i = 0; i < 3; i++)
        {
            Check(query, size, "LINQ", expected, query.Linq(left, right));
            Check(query, size, "Rx.NET", expected, query.Rx(left, right));
            Check(query, size, "end to end", expected, runs[query.Name].Run(left, right, 2));
        }
    }
}

// The engine's fixed cost per batch: the first query on empty batches, through the same path.
Record[] none = [];
var emptyBatches = full ? 20_000 : 5_000;
var emptyMicroseconds = new List<double>();
var emptyBytes = new List<double>();
runs[Queries.All[0].Name].Run(none, none, 100);

// seconds[(query, size, way)] per repetition; bytes and gen-2 collections per record for the engine.
var seconds = new Dictionary<(string, int, string), List<double>>();

// The same in CPU time of the whole process (every thread, the collector's included): on a loaded
// machine wall time counts the time a way waited for a core, CPU time does not.
var cpuSeconds = new Dictionary<(string, int, string), List<double>>();
var engineBytes = new Dictionary<(string, int), List<double>>();
var engineGen2 = new Dictionary<(string, int), long>();
for (var rep = 0; rep < repetitions; rep++)
{
    var emptyAllocated = GC.GetTotalAllocatedBytes();
    var emptyWatch = Stopwatch.StartNew();
    runs[Queries.All[0].Name].Run(none, none, emptyBatches);
    emptyMicroseconds.Add(emptyWatch.Elapsed.TotalMicroseconds / emptyBatches);
    emptyBytes.Add((GC.GetTotalAllocatedBytes() - emptyAllocated) / (double)emptyBatches);
    foreach (var size in sizes)
    {
        var batches = Math.Max(2, recordsPerCell / size);
        var (left, right) = inputs[size];
        foreach (var query in queries)
        {
            // Rotate which way goes first, so that none always runs on a cache the previous one warmed.
            for (var w = 0; w < ways.Length; w++)
            {
                var way = ways[(w + rep) % ways.Length];
                var allocated = GC.GetTotalAllocatedBytes();
                var gen2 = GC.CollectionCount(2);
                var cpu = Environment.CpuUsage.TotalTime;
                var watch = Stopwatch.StartNew();
                switch (way)
                {
                    case "end to end":
                        runs[query.Name].Run(left, right, batches);
                        break;
                    default:
                        var f = way switch { "hand" => query.Hand, "LINQ" => query.Linq, _ => query.Rx };
                        for (var b = 0; b < batches; b++)
                        {
                            f(left, right);
                        }

                        break;
                }

                watch.Stop();
                Add(seconds, (query.Name, size, way), watch.Elapsed.TotalSeconds);
                Add(cpuSeconds, (query.Name, size, way), (Environment.CpuUsage.TotalTime - cpu).TotalSeconds);
                if (way == "end to end")
                {
                    Add(engineBytes, (query.Name, size), (GC.GetTotalAllocatedBytes() - allocated) / (double)((long)batches * size));
                    engineGen2[(query.Name, size)] = engineGen2.GetValueOrDefault((query.Name, size)) + GC.CollectionCount(2) - gen2;
                }
            }
        }
    }
}

foreach (var run in runs.Values)
{
    await run.DisposeAsync();
}

Console.WriteLine();
Console.WriteLine("Speed against the hand-written loop, min / median / max over the repetitions (higher is faster); engine = end to end through the public API, one partition unless the row says otherwise");
Console.WriteLine();
Console.WriteLine("| records per batch | query | end to end | LINQ to Objects | Rx.NET | end to end vs Rx.NET (median) | end to end µs per batch (median) | end to end B/record (median) | gen-2 GCs | end to end, by CPU time |");
Console.WriteLine("|---:|---|---|---|---|---:|---:|---:|---:|---|");
foreach (var size in sizes)
{
    var batches = Math.Max(2, recordsPerCell / size);
    foreach (var query in queries)
    {
        string Ratio(string way, Dictionary<(string, int, string), List<double>>? times = null)
        {
            times ??= seconds;
            var ratios = times[(query.Name, size, "hand")].Zip(times[(query.Name, size, way)], (h, t) => h / t).Order().ToArray();
            return string.Create(CultureInfo.InvariantCulture, $"{ratios[0]:0.00} / {Median(ratios):0.00} / {ratios[^1]:0.00}");
        }

        var engine = seconds[(query.Name, size, "end to end")];
        var vsRx = Median([.. seconds[(query.Name, size, "Rx.NET")].Zip(engine, (rx, e) => rx / e).Order()]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {size:N0} | {query.Name} | {Ratio("end to end")} | {Ratio("LINQ")} | {Ratio("Rx.NET")} | {vsRx:0.00} | {Median([.. engine.Order()]) / batches * 1e6:N1} | {Median([.. engineBytes[(query.Name, size)].Order()]):0.00} | {engineGen2[(query.Name, size)]} | {Ratio("end to end", cpuSeconds)} |"));
    }
}

Console.WriteLine();
emptyMicroseconds.Sort();
emptyBytes.Sort();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Empty batch through the public API ({Queries.All[0].Name}, one output): {emptyMicroseconds[0]:N1} / {Median([.. emptyMicroseconds]):N1} / {emptyMicroseconds[^1]:N1} µs per batch (min / median / max), {Median([.. emptyBytes]):N0} B allocated per batch (median)"));
Console.WriteLine();
var verdict = await PushAllocation.CheckAsync(full);
Console.WriteLine();
Console.WriteLine($"load average at the end: {LoadAverage()}");
return verdict;

static void Check(QueryCase query, int size, string way, long expected, long actual)
{
    if (actual != expected)
    {
        throw new InvalidOperationException($"{query.Name} at {size:N0} records: {way} gave {actual}, the hand loop {expected}.");
    }
}

static void Add<TKey>(Dictionary<TKey, List<double>> values, TKey key, double value)
    where TKey : notnull
{
    if (!values.TryGetValue(key, out var list))
    {
        values[key] = list = [];
    }

    list.Add(value);
}

static double Median(double[] sorted) => sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;

// The machine is shared: the load is printed beside the table so a reader can judge it.
static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
