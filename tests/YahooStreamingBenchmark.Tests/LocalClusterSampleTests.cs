using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using YahooStreamingBenchmark.Cluster;

namespace YahooStreamingBenchmark.Tests;

/// <summary>
/// The multi-process cluster sample (samples/YahooStreamingBenchmark.Cluster) as the README runs
/// it, shortened: real silo processes on loopback, Orleans membership in a real redis-server,
/// the YSB job over a partitioned Redis Streams source. Every silo must read events, the counts
/// must equal the generator's, and no process the sample started may outlive it.
/// </summary>
public partial class LocalClusterSampleTests
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(150);

    // Orleans places the executors by hashing their keys over the silos: with 24 partitions a
    // silo of 3 is left without one in about 2 runs in 10,000.
    private const int Partitions = 24;

    [Fact]
    public async Task Three_silos_each_read_events_and_the_stored_counts_equal_the_generated_views()
    {
        var output = new LineWriter();
        using var limit = new CancellationTokenSource(RunLimit);

        var report = await LocalClusterRun.RunAsync(new ClusterRunOptions(Silos: 3, Seconds: 4, Rate: 4_000, Partitions: Partitions, Interval: TimeSpan.FromMilliseconds(500)), output, limit.Token);

        Assert.Empty(report.Mismatches);
        Assert.Equal([1, 2, 3], report.RecordsPerSilo.Keys.Order());
        Assert.All(report.RecordsPerSilo, silo => Assert.True(silo.Value > 0, $"silo {silo.Key} read no event:\n{output}"));
        Assert.Equal(report.Appended, report.RecordsPerSilo.Values.Sum());
        Assert.Contains(output.Lines, line => ThroughputLine().IsMatch(line));
        AssertEverythingStopped(output);
    }

    [Fact]
    public async Task Cancelling_the_run_stops_every_silo_and_redis_server()
    {
        var output = new LineWriter();
        using var cancel = new CancellationTokenSource(RunLimit);
        output.LineWritten += line =>
        {
            if (ThroughputLine().IsMatch(line))
            {
                cancel.Cancel();
            }
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            LocalClusterRun.RunAsync(new ClusterRunOptions(Silos: 2, Seconds: 600, Rate: 2_000, Partitions: 2), output, cancel.Token));

        AssertEverythingStopped(output);
    }

    private static void AssertEverythingStopped(LineWriter output)
    {
        var pids = output.Lines.Select(line => SiloPid().Match(line)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();
        Assert.NotEmpty(pids);
        Assert.All(pids, pid => Assert.False(IsRunning(pid), $"silo process {pid} is still running"));
        var redisPort = output.Lines.Select(line => RedisLine().Match(line)).First(m => m.Success).Groups[1].Value;
        using var socket = new TcpClient();
        Assert.Throws<SocketException>(() => socket.Connect("127.0.0.1", int.Parse(redisPort, CultureInfo.InvariantCulture)));
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^\[silo \d+\] pid (\d+),")]
    private static partial Regex SiloPid();

    [GeneratedRegex(@"^redis-server on 127\.0\.0\.1:(\d+)")]
    private static partial Regex RedisLine();

    [GeneratedRegex(@"silo 1: +[\d,]+ events/s")]
    private static partial Regex ThroughputLine();

    /// <summary>Keeps every line the sample prints, and says when one is written.</summary>
    private sealed class LineWriter : TextWriter
    {
        private readonly List<string> _lines = [];
        private readonly System.Text.StringBuilder _current = new();

        public event Action<string>? LineWritten;

        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public override void Write(char value)
        {
            string? line = null;
            lock (_lines)
            {
                if (value == '\n')
                {
                    line = _current.ToString().TrimEnd('\r');
                    _current.Clear();
                    _lines.Add(line);
                }
                else
                {
                    _current.Append(value);
                }
            }

            if (line is not null)
            {
                LineWritten?.Invoke(line);
            }
        }

        public override string ToString() => string.Join('\n', Lines);
    }
}
