using System.Globalization;
using Spectre.Console;
using YahooStreamingBenchmark;

// The Yahoo Streaming Benchmark's advertising query on StreamLinq. By default events come from
// an in-memory generator and counts go to an in-process dictionary, so it runs with no server;
// --store redis writes counts to Redis as the original does, --mode redis also reads events from
// a Redis stream. Either starts its own redis-server on a free loopback port unless --redis
// HOST:PORT names one. --mode nats reads events from a NATS JetStream stream through the
// StreamLinq.Nats source, starting its own nats-server -js unless --nats URL names one.
var options = new RunOptions(WarmupSeconds: 2);
for (var i = 0; i < args.Length; i++)
{
    var value = i + 1 < args.Length ? args[i + 1] : "";
    switch (args[i])
    {
        case "--mode":
            options = options with { Mode = Enum.Parse<EventSourceMode>(value, ignoreCase: true) };
            break;
        case "--events" when value == "json":
            options = options with { PreParsed = false };
            break;
        case "--events" when value == "parsed":
            options = options with { PreParsed = true };
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
        case "--nats":
            options = options with { NatsUrl = value };
            break;
        default:
            Console.Error.WriteLine("usage: YahooStreamingBenchmark [--mode memory|redis|nats] [--events json|parsed] [--store memory|redis] [--seconds S] [--rate EVENTS_PER_S] [--interval-ms MS] [--parallelism N] [--warmup S] [--preload] [--redis HOST:PORT] [--nats URL]");
            return 2;
    }

    i++;
}

if (options.PreParsed && options.Mode != EventSourceMode.Memory)
{
    Console.Error.WriteLine($"--events parsed needs --mode memory: {options.Mode} delivers JSON.");
    return 2;
}

AnsiConsole.MarkupLine($"[bold]Yahoo Streaming Benchmark[/]: {(options.PreParsed ? "pre-parsed" : "JSON")} events from {options.Mode}, counts to {(options.UsesRedis ? "Redis" : "memory")}, {options.Seconds} s at {options.Rate:N0} events/s, {options.Interval.TotalMilliseconds} ms batches, {options.Parallelism} partition(s)");
var log = new StringWriter(CultureInfo.InvariantCulture);
RunReport report = null!;
await AnsiConsole.Progress()
    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
    .StartAsync(async progress =>
    {
        var total = options.WarmupSeconds + options.Seconds;
        var task = progress.AddTask("warm-up and run", maxValue: total);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var run = BenchmarkRun.RunAsync(options, log);
        while (!run.IsCompleted)
        {
            task.Value = Math.Min(total, started.Elapsed.TotalSeconds);
            task.Description = task.Value < options.WarmupSeconds ? "warming up" : task.Value < total ? "running" : "checking windows";
            await Task.WhenAny(run, Task.Delay(200));
        }

        task.Value = total;
        report = await run;
    });

foreach (var line in log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
{
    AnsiConsole.MarkupLineInterpolated($"[grey]{line.TrimEnd()}[/]");
}

var results = new Table().Border(TableBorder.Rounded).AddColumn("Measure").AddColumn(new TableColumn("Value").RightAligned()).AddColumn("What it is");
results.AddRow("events processed", report.Events.ToString("N0", CultureInfo.InvariantCulture), Markup.Escape($"{report.Events / report.WallSeconds:N0}/s wall clock, offered {options.Rate:N0}/s"));
results.AddRow("events per second/core", report.EventsPerCpuSecond is { } perCpu ? perCpu.ToString("N0", CultureInfo.InvariantCulture) : "n/a", "events over the job's CPU time: the process's less the generator thread's");
results.AddRow("events per busy second", report.EventsPerBusySecond.ToString("N0", CultureInfo.InvariantCulture), "events over the batches' wall-clock processing time, times partitions");
results.AddRow("bytes allocated per event", report.AllocatedBytesPerEvent.ToString("N2", CultureInfo.InvariantCulture), "by the job while it ran (engine, query, store, this display), not by the generator");
results.AddRow("campaign windows", report.Windows.ToString("N0", CultureInfo.InvariantCulture), "10-second windows written");
var latencies = report.WindowLatenciesMs;
foreach (var (label, value, note) in WindowLatency.Rows(latencies))
{
    results.AddRow(label, value, Markup.Escape(note));
}

AnsiConsole.Write(results);
if (report.Mismatches.Count > 0)
{
    AnsiConsole.MarkupLineInterpolated($"[red]CHECKER FAILED: {report.Mismatches.Count} windows differ, e.g. {report.Mismatches[0]}[/]");
    return 1;
}

AnsiConsole.MarkupLine("[green]checker: every campaign window's count matches the generated events[/]");
return 0;
