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
using Spectre.Console;
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
var view = new BatchView();
ssc.AddListener(view);

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

topWords.ForEachBatch((batch, time) => view.TopWords(time, string.Join(", ", batch.Select(w => $"{w.Word} {w.Count}"))));

Console.WriteLine("Plan:");
Console.WriteLine(ssc.Explain());

// The live dashboard, on 127.0.0.1 only.
await using var dashboard = await DashboardServer.StartAsync([ssc]);
Console.WriteLine($"Dashboard: {dashboard.Address}");

await ssc.StartAsync();
try
{
    // A live table in a terminal; one line per batch when the output is redirected.
    if (AnsiConsole.Profile.Capabilities.Interactive)
    {
        await AnsiConsole.Live(view.Table).StartAsync(async live =>
        {
            view.Refresh = live.Refresh;
            await ssc.AwaitTerminationAsync(stop.Token);
        });
    }
    else
    {
        view.Lines = true;
        await ssc.AwaitTerminationAsync(stop.Token);
    }
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
    using var resource = typeof(BatchView).Assembly.GetManifestResourceStream("river.txt")!;
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

/// <summary>
/// Spark's batch statistics (records, scheduling and processing delay) with each batch's top words:
/// the last ten batches as a live table, or one line per batch.
/// </summary>
internal sealed class BatchView : IStreamingListener
{
    private const int Shown = 10;
    private readonly Dictionary<BatchTime, string> _words = [];
    private readonly Queue<string[]> _rows = new();

    public Table Table { get; } = new Table().Border(TableBorder.Rounded).Title("WordCount: the last batches")
        .AddColumn("Batch").AddColumn(new TableColumn("Lines").RightAligned()).AddColumn(new TableColumn("Scheduling").RightAligned())
        .AddColumn(new TableColumn("Processing").RightAligned()).AddColumn("Top words");

    public Action Refresh { get; set; } = () => { };

    public bool Lines { get; set; }

    public void TopWords(BatchTime time, string words)
    {
        lock (_words)
        {
            _words[time] = words;
        }
    }

    public void OnBatchCompleted(BatchInfo batch)
    {
        string words;
        lock (_words)
        {
            words = _words.Remove(batch.Time, out var w) ? w : "";
        }

        var row = new[]
        {
            $"{batch.Time.ToDateTimeOffset():HH:mm:ss}",
            $"{batch.RecordCount}",
            $"{batch.SchedulingDelay?.TotalMilliseconds:F1} ms",
            $"{batch.ProcessingDelay?.TotalMilliseconds:F1} ms",
            batch.Failure is null ? words : "FAILED: " + batch.Failure.Message,
        };
        if (Lines)
        {
            Console.WriteLine($"[{row[0]}] {row[1]} lines, scheduling delay {row[2]}, processing delay {row[3]}, top words: {row[4]}");
            return;
        }

        lock (_rows)
        {
            _rows.Enqueue(row);
            while (_rows.Count > Shown)
            {
                _rows.Dequeue();
            }

            Table.Rows.Clear();
            foreach (var shown in _rows)
            {
                Table.AddRow(shown.Select(Markup.Escape).ToArray());
            }
        }

        Refresh();
    }

    public void OnSourceError(string source, Exception error)
    {
        if (Lines)
        {
            Console.WriteLine($"source error: {error.Message}");
        }
    }
}
