// How fast the test harness runs a windowed query on virtual time: 1,000 batches of a sliding
// window (10 batches long, slide 1) counting records per key, 20 records a batch, checked against
// LINQ to Objects over the same windows. The issue's bar is 1,000 batches in under a second of
// CPU time. The baseline, measured in the same run, is LINQ to Objects computing the same 1,000
// windows' counts directly (no engine, no clock, no threads): the ratio is the harness's cost
// per batch over the bare computation's.
//   dotnet run -c Release --project bench/StreamLinq.HarnessBenchmark [-- batches]
using System.Diagnostics;
using StreamLinq;
using StreamLinq.Testing;

var batches = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1000;
const int PerBatch = 20;
const int WindowBatches = 10;
var interval = TimeSpan.FromSeconds(1);
var input = Enumerable.Range(0, batches).Select(b => Enumerable.Range(0, PerBatch).Select(i => (b * 7 + i * 13) % 5).ToArray()).ToArray();

// Warm-up: JIT and the expression compiler, so that both measurements are of steady work.
await RunHarnessAsync(50);
Baseline(50);

var (harnessCpu, harnessWall, harnessResult) = await Measure(() => RunHarnessAsync(batches));
var (baselineCpu, baselineWall, baselineResult) = await Measure(() => Task.FromResult(Baseline(batches)));
if (!harnessResult.SequenceEqual(baselineResult))
{
    Console.Error.WriteLine("The harness's window counts differ from LINQ to Objects'.");
    return 1;
}

Console.WriteLine($"{batches} batches of a sliding window ({WindowBatches} batches, slide 1), {PerBatch} records a batch");
Console.WriteLine($"harness:  {harnessCpu.TotalMilliseconds,8:F0} ms CPU, {harnessWall.TotalMilliseconds,8:F0} ms wall");
Console.WriteLine($"baseline: {baselineCpu.TotalMilliseconds,8:F1} ms CPU, {baselineWall.TotalMilliseconds,8:F1} ms wall (LINQ to Objects over the same windows)");
Console.WriteLine($"ratio harness/baseline (CPU): {harnessCpu.TotalMilliseconds / Math.Max(baselineCpu.TotalMilliseconds, 0.001):F0}");
Console.WriteLine($"under a second of CPU: {(harnessCpu < TimeSpan.FromSeconds(1) ? "yes" : "no")}");
return 0;

async Task<string[]> RunHarnessAsync(int count)
{
    var source = new TestInput<int>();
    var output = new TestOutput<KeyValuePair<int, int>>();
    await using var harness = new StreamTestHarness(options =>
    {
        var context = new StreamingContext(interval, options);
        context.AddInput(source)
            .Select(k => new KeyValuePair<int, int>(k, 1))
            .ReduceByKeyAndWindow((a, b) => a + b, TimeSpan.FromTicks(interval.Ticks * WindowBatches), interval)
            .WriteTo(output);
        return context;
    });
    await harness.StartAsync();
    for (var b = 0; b < count; b++)
    {
        source.PushAt(harness.NextBatchTime + TimeSpan.FromTicks(interval.Ticks * b), input[b]);
    }

    foreach (var batch in await harness.RunBatchesAsync(count))
    {
        if (batch.Failure is { } failure)
        {
            throw failure;
        }
    }

    return output.Batches.Values.Select(w => string.Join(",", w.OrderBy(p => p.Key).Select(p => $"{p.Key}:{p.Value}"))).ToArray();
}

string[] Baseline(int count) =>
    Enumerable.Range(0, count)
        .Select(end => input.Skip(Math.Max(0, end - WindowBatches + 1)).Take(Math.Min(end + 1, WindowBatches)).SelectMany(b => b)
            .GroupBy(k => k).OrderBy(g => g.Key).Select(g => $"{g.Key}:{g.Count()}"))
        .Select(w => string.Join(",", w))
        .ToArray();

static async Task<(TimeSpan Cpu, TimeSpan Wall, T Result)> Measure<T>(Func<Task<T>> run)
{
    var process = Process.GetCurrentProcess();
    var cpu = process.TotalProcessorTime;
    var wall = Stopwatch.StartNew();
    var result = await run();
    wall.Stop();
    process.Refresh();
    return (process.TotalProcessorTime - cpu, wall.Elapsed, result);
}
