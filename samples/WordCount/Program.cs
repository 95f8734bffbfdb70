// A windowless word count over a live TCP text stream, Spark Streaming's first example.
// With no arguments it replays an embedded text through a local socket, so there is no
// server to set up; with --host and --port it reads any newline-delimited text server.
//
//   dotnet run --project samples/WordCount                      (runs 10 seconds)
//   dotnet run --project samples/WordCount -- --seconds 30
//   dotnet run --project samples/WordCount -- --host 127.0.0.1 --port 9999
// It serves the live dashboard on 127.0.0.1 and prints its address.
using System.Net;
using System.Net.Sockets;
using System.Text;
using StreamLinq;
using StreamLinq.Dashboard;

var seconds = IntOption("--seconds", 10);
var host = StringOption("--host");
var port = IntOption("--port", 0);

using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

Task replay = Task.CompletedTask;
if (host is null)
{
    var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    host = "127.0.0.1";
    port = ((IPEndPoint)listener.LocalEndpoint).Port;
    replay = ReplayAsync(listener, stop.Token);
    Console.WriteLine($"Replaying the embedded text on {host}:{port} for {seconds} s (Ctrl+C stops earlier).");
}

await using var ssc = new StreamingContext(TimeSpan.FromSeconds(1));
ssc.AddListener(new BatchStatistics());

var lines = ssc.SocketTextStream(host, port);
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
    Console.WriteLine($"[{time.ToDateTimeOffset():HH:mm:ss}] top words: {string.Join(", ", batch.Select(w => $"{w.Word} {w.Count}"))}"));

Console.WriteLine("Plan:");
Console.WriteLine(ssc.Explain());

// The live dashboard, on 127.0.0.1 only.
await using var dashboard = await DashboardServer.StartAsync([ssc]);
Console.WriteLine($"Dashboard: {dashboard.Address}");

await ssc.StartAsync();
try
{
    await ssc.AwaitTerminationAsync(stop.Token);
}
catch (OperationCanceledException)
{
}

await ssc.StopAsync(graceful: true);
await replay;
Console.WriteLine("Stopped.");

// Sends the embedded text line by line, 50 lines a second, looping, to whoever connects.
static async Task ReplayAsync(TcpListener listener, CancellationToken cancellationToken)
{
    using var resource = typeof(BatchStatistics).Assembly.GetManifestResourceStream("river.txt")!;
    var text = await new StreamReader(resource).ReadToEndAsync(cancellationToken);
    var textLines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    try
    {
        using var client = await listener.AcceptTcpClientAsync(cancellationToken);
        var stream = client.GetStream();
        for (var i = 0; !cancellationToken.IsCancellationRequested; i++)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(textLines[i % textLines.Length] + "\n"), cancellationToken);
            await Task.Delay(20, cancellationToken);
        }
    }
    catch (OperationCanceledException)
    {
    }
    catch (IOException)
    {
        // The engine closed the connection first.
    }
    finally
    {
        listener.Stop();
    }
}

static string? StringOption(string name)
{
    var args = Environment.GetCommandLineArgs();
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static int IntOption(string name, int fallback) =>
    StringOption(name) is { } value ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : fallback;

/// <summary>Prints Spark's batch statistics: records, scheduling delay and processing delay.</summary>
internal sealed class BatchStatistics : IStreamingListener
{
    public void OnBatchCompleted(BatchInfo batch) =>
        Console.WriteLine(
            $"[{batch.Time.ToDateTimeOffset():HH:mm:ss}] {batch.RecordCount} lines, scheduling delay {batch.SchedulingDelay?.TotalMilliseconds:F1} ms, " +
            $"processing delay {batch.ProcessingDelay?.TotalMilliseconds:F1} ms{(batch.Failure is null ? "" : ", FAILED: " + batch.Failure.Message)}");

    public void OnSourceError(string source, Exception error) => Console.WriteLine($"source error: {error.Message}");
}
