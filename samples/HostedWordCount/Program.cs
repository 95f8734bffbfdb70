// Word count under the .NET Generic Host: the job is registered with AddStreamLinq and built from
// DI services, its options come from appsettings.json (StreamLinq:Jobs:wordcount), it logs to the
// console through ILogger, exports metrics to the OpenTelemetry console exporter, serves the live
// dashboard and a health endpoint, and stops gracefully on Ctrl+C (or after --Sample:RunSeconds).
//
//   dotnet run --project samples/HostedWordCount
//   dotnet run --project samples/HostedWordCount -- --Sample:RunSeconds 20 --StreamLinq:Jobs:wordcount:BatchInterval 00:00:02
using System.Reactive.Linq;
using OpenTelemetry.Metrics;
using StreamLinq;
using StreamLinq.Dashboard;
using StreamLinq.Hosting;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddSingleton(new RiverText(builder.Configuration.GetValue("Sample:LinesPerSecond", 50)));
builder.Services.AddStreamLinqDashboard();
builder.Services.AddStreamLinq().AddJob("wordcount", job =>
{
    var text = job.Services.GetRequiredService<RiverText>();
    var log = job.Services.GetRequiredService<ILoggerFactory>().CreateLogger("HostedWordCount");
    var lines = job.Context.FromObservable(text.Lines(), job.ReceiverOptions);
    var topWords = lines
        .SelectMany(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Select(word => word.Trim('.', ',', ';', ':').ToLowerInvariant())
        .Where(word => word.Length > 3)
        .GroupBy(word => word)
        .Select(g => new { Word = g.Key, Count = g.Count() })
        .OrderByDescending(w => w.Count)
        .ThenBy(w => w.Word)
        .Take(5);
    topWords.ForEachBatch((batch, time) =>
        log.LogInformation("{Time}: top words {Words}", time, string.Join(", ", batch.Select(w => $"{w.Word} {w.Count}"))));
    job.Services.GetRequiredService<StreamLinqDashboard>().Watch(job.Context);
});

var exportSeconds = builder.Configuration.GetValue("Sample:MetricsExportSeconds", 10);
builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
    .AddMeter(StreamingDiagnostics.MeterName)
    .AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = exportSeconds * 1000));

var app = builder.Build();
app.MapStreamLinqDashboard();
app.MapHealthChecks("/health");
app.Lifetime.ApplicationStarted.Register(() =>
{
    foreach (var address in app.Urls)
    {
        Console.WriteLine($"Dashboard: {address.TrimEnd('/')}/streamlinq/   health: {address.TrimEnd('/')}/health   (Ctrl+C stops gracefully)");
    }
});

if (builder.Configuration.GetValue<int?>("Sample:RunSeconds") is { } seconds)
{
    app.Lifetime.ApplicationStarted.Register(() => _ = Task.Delay(TimeSpan.FromSeconds(seconds)).ContinueWith(_ => app.Lifetime.StopApplication(), TaskScheduler.Default));
}

await app.RunAsync();

/// <summary>The embedded text, replayed line by line at a fixed rate, looping.</summary>
internal sealed class RiverText(int linesPerSecond)
{
    public IObservable<string> Lines()
    {
        using var resource = typeof(RiverText).Assembly.GetManifestResourceStream("river.txt")!;
        var lines = new StreamReader(resource).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return Observable.Interval(TimeSpan.FromSeconds(1.0 / linesPerSecond)).Select(i => lines[i % lines.Length]);
    }
}
