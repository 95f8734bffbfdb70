using System.Globalization;
using YahooStreamingBenchmark;

// The Yahoo Streaming Benchmark's advertising query on StreamLinq. By default events come from
// an in-memory generator and counts go to an in-process dictionary, so it runs with no server;
// --store redis writes counts to Redis as the original does, --mode redis also reads events from
// a Redis stream. Either starts its own redis-server on a free loopback port unless --redis
// HOST:PORT names one.
var options = new RunOptions(WarmupSeconds: 2);
for (var i = 0; i < args.Length; i++)
{
    var value = i + 1 < args.Length ? args[i + 1] : "";
    switch (args[i])
    {
        case "--mode":
            options = options with { Mode = Enum.Parse<EventSourceMode>(value, ignoreCase: true) };
            break;
        case "--store" when value == "redis":
            options = options with { RedisStore = true };
            break;
        case "--store" when value == "memory":
            options = options with { RedisStore = false };
            break;
        case "--seconds":
            options = options with { Seconds = double.Parse(value, CultureInfo.InvariantCulture) };
            break;
        case "--rate":
            options = options with { Rate = long.Parse(value, CultureInfo.InvariantCulture) };
            break;
        case "--interval-ms":
            options = options with { BatchInterval = TimeSpan.FromMilliseconds(int.Parse(value, CultureInfo.InvariantCulture)) };
            break;
        case "--parallelism":
            options = options with { Parallelism = int.Parse(value, CultureInfo.InvariantCulture) };
            break;
        case "--warmup":
            options = options with { WarmupSeconds = double.Parse(value, CultureInfo.InvariantCulture) };
            break;
        case "--preload":
            options = options with { Preload = true };
            i--;
            break;
        case "--redis":
            options = options with { RedisEndpoint = value };
            break;
        default:
            Console.Error.WriteLine("usage: YahooStreamingBenchmark [--mode memory|redis] [--store memory|redis] [--seconds S] [--rate EVENTS_PER_S] [--interval-ms MS] [--parallelism N] [--warmup S] [--preload] [--redis HOST:PORT]");
            return 2;
    }

    i++;
}

Console.WriteLine($"Yahoo Streaming Benchmark: events from {options.Mode}, counts to {(options.UsesRedis ? "Redis" : "memory")}, {options.Seconds} s at {options.Rate:N0} events/s, {options.Interval.TotalMilliseconds} ms batches, {options.Parallelism} partition(s)");
var report = await BenchmarkRun.RunAsync(options, Console.Out);
Console.WriteLine($"events processed:        {report.Events:N0} ({report.Events / report.WallSeconds:N0}/s wall clock, offered {options.Rate:N0}/s)");
Console.WriteLine($"events per second/core:  {(report.EventsPerCpuSecond is { } perCpu ? perCpu.ToString("N0", CultureInfo.InvariantCulture) : "n/a")} (events over the job's CPU time: the process's less the generator thread's)");
Console.WriteLine($"events per busy second:  {report.EventsPerBusySecond:N0} (events over the batches' wall-clock processing time, times partitions)");
Console.WriteLine($"campaign windows:        {report.Windows:N0}");
if (report.WindowLatenciesMs.Length > 0)
{
    long Percentile(double p) => report.WindowLatenciesMs[(int)Math.Ceiling(report.WindowLatenciesMs.Length * p) - 1];
    Console.WriteLine($"window latency (end of window to its final write, {report.WindowLatenciesMs.Length} windows): p50 {Percentile(0.5)} ms, p99 {Percentile(0.99)} ms, max {report.WindowLatenciesMs[^1]} ms");
}
else
{
    Console.WriteLine("window latency: no 10-second window ended during the run; run for longer (--seconds 12 or more)");
}

if (report.Mismatches.Count > 0)
{
    Console.WriteLine($"CHECKER FAILED: {report.Mismatches.Count} windows differ, e.g. {report.Mismatches[0]}");
    return 1;
}

Console.WriteLine("checker: every campaign window's count matches the generated events");
return 0;
