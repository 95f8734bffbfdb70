using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Runtime;
using StackExchange.Redis;
using StreamLinq.ClusterWorker;
using StreamLinq.Orleans;
using YahooStreamingBenchmark.Cluster;

namespace StreamLinq.Cluster.Tests.Support;

/// <summary>
/// Silo processes of the kill test (StreamLinq.ClusterWorker, started with the cluster sample's
/// launcher) and an Orleans client of their cluster: kills silos outright, restarts them, adds one
/// and removes one gracefully, and tells which silo hosts the job's driver. Every process it
/// started is stopped on dispose.
/// </summary>
internal sealed partial class KillCluster : IAsyncDisposable
{
    private static readonly TimeSpan FormTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);
    private readonly WorkerArguments _worker;
    private readonly List<SiloProcess> _stopped = [];
    private IHost? _client;
    private int _numbers;

    private KillCluster(WorkerArguments worker) => _worker = worker;

    /// <summary>Every silo's output, tagged with its number.</summary>
    public StringWriter Output { get; } = new();

    /// <summary>The silos running now.</summary>
    public List<SiloProcess> Live { get; } = [];

    public IStreamJob Job => Client.GetStreamJob(WorkerArguments.JobName);

    private IClusterClient Client => _client!.Services.GetRequiredService<IClusterClient>();

    /// <summary>Starts <paramref name="silos"/> silos and a client, and waits until every silo is active.</summary>
    public static async Task<KillCluster> StartAsync(WorkerArguments worker, int silos)
    {
        var cluster = new KillCluster(worker);
        try
        {
            for (var i = 0; i < silos; i++)
            {
                cluster.Live.Add(cluster.Launch());
            }

            cluster._client = await cluster.ConnectAsync();
            await cluster.WaitForMembershipAsync(FormTimeout);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills <paramref name="silo"/> with SIGKILL and starts a silo in its place (a new process, same number, new ports).</summary>
    public async Task<SiloProcess> KillAndRestartAsync(SiloProcess silo)
    {
        await silo.KillAsync();
        Live.Remove(silo);
        _stopped.Add(silo);
        var restarted = Launch(silo.Number);
        Live.Add(restarted);
        return restarted;
    }

    /// <summary>Adds a silo to the cluster and waits until it is active.</summary>
    public async Task<SiloProcess> JoinAsync()
    {
        var silo = Launch();
        Live.Add(silo);
        await WaitForMembershipAsync(FormTimeout);
        return silo;
    }

    /// <summary>Removes <paramref name="silo"/> gracefully (it shuts down and leaves the membership) and waits until the others see it gone.</summary>
    public async Task LeaveAsync(SiloProcess silo)
    {
        Live.Remove(silo);
        _stopped.Add(silo);
        await silo.StopAsync();
        await WaitForMembershipAsync(FormTimeout);
    }

    /// <summary>
    /// Waits until the cluster's active silos are exactly the live processes: every silo killed is
    /// declared dead and every silo started has joined. Returns how long the wait took.
    /// </summary>
    public async Task<TimeSpan> WaitForMembershipAsync(TimeSpan timeout)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (Live.FirstOrDefault(s => s.HasExited) is { } dead)
            {
                throw new InvalidOperationException($"silo {dead.Number} exited by itself; the silos' output:{Environment.NewLine}{Tail()}");
            }

            var active = await TryAsync(() => Client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true));
            if (active is not null && active.Keys.Select(s => s.Endpoint.Port).Order().SequenceEqual(Live.Select(s => s.SiloPort).Order()))
            {
                return watch.Elapsed;
            }

            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"the membership did not settle on silos {string.Join(", ", Live.Select(s => s.Number))} within {timeout.TotalSeconds} s; active: {(active is null ? "unknown" : string.Join(", ", active.Keys))}.{Environment.NewLine}{Tail()}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Waits until the cluster no longer counts <paramref name="killed"/> among its active silos; returns how long that took.</summary>
    public async Task<TimeSpan> WaitForDeathAsync(SiloProcess killed, TimeSpan timeout)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            var active = await TryAsync(() => Client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true));
            if (active is not null && !active.Keys.Any(s => s.Endpoint.Port == killed.SiloPort))
            {
                return watch.Elapsed;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"silo {killed.Number} (port {killed.SiloPort}) was not declared dead within {timeout.TotalSeconds} s.{Environment.NewLine}{Tail()}");
    }

    /// <summary>
    /// The job's status, asked again until the driver answers (a call fails while a silo dies, and
    /// waits while the driver comes back elsewhere); null if it did not within <paramref name="timeout"/>.
    /// </summary>
    public Task<StreamJobStatus?> StatusAsync(TimeSpan timeout) => TryAsync(() => Job.GetStatusAsync(), timeout);

    /// <summary>The live silo hosting the driver, or null when the driver's silo is not a live one (it is being failed over).</summary>
    public SiloProcess? SiloOf(StreamJobStatus status)
    {
        var port = SiloPort().Match(status.DriverSilo);
        return port.Success ? Live.FirstOrDefault(s => s.SiloPort == int.Parse(port.Groups[1].Value, CultureInfo.InvariantCulture)) : null;
    }

    /// <summary>How many of the job's executor and reducer activations <paramref name="silo"/> hosts now.</summary>
    public async Task<int> JobGrainsOnAsync(SiloProcess silo)
    {
        var statistics = await TryAsync(() => Client.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics());
        return statistics?
            .Where(s => s.SiloAddress.Endpoint.Port == silo.SiloPort && (s.GrainType.Contains("executor", StringComparison.OrdinalIgnoreCase) || s.GrainType.Contains("reducer", StringComparison.OrdinalIgnoreCase)))
            .Sum(s => s.ActivationCount) ?? 0;
    }

    /// <summary>The last lines the silos printed.</summary>
    public string Tail(int lines = 60)
    {
        string[] all;
        lock (Output)
        {
            all = Output.ToString().Split(Environment.NewLine);
        }

        return string.Join(Environment.NewLine, all.TakeLast(lines));
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            try
            {
                await TryAsync(async () =>
                {
                    await Job.StopAsync();
                    return Job;
                });
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _client.StopAsync(timeout.Token);
            }
            finally
            {
                _client.Dispose();
            }
        }

        await Task.WhenAll(Live.Concat(_stopped).Select(s => s.DisposeAsync().AsTask()));
    }

    private SiloProcess Launch(int? number = null) =>
        SiloProcess.Start(
            number ?? ++_numbers,
            typeof(WorkerArguments).Assembly.Location,
            (siloPort, gatewayPort) => (_worker with { SiloPort = siloPort, GatewayPort = gatewayPort }).Format(),
            Output);

    // Calls until an answer, each call bounded by CallTimeout, for `total` at most (CallTimeout by default).
    private static async Task<T?> TryAsync<T>(Func<Task<T>> call, TimeSpan? total = null)
        where T : class
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (watch.Elapsed < (total ?? CallTimeout))
        {
            try
            {
                return await call().WaitAsync(CallTimeout);
            }
            catch (Exception e) when (e is SiloUnavailableException or OrleansException or TimeoutException or OperationCanceledException or global::Orleans.Runtime.Messaging.ConnectionFailedException)
            {
                await Task.Delay(100);
            }
        }

        return null;
    }

    private async Task<IHost> ConnectAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        // The client's failures reach the test as exceptions; its retries while silos start and die are no news.
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client => client
            .UseRedisClustering(options => options.ConfigurationOptions = ConfigurationOptions.Parse(_worker.Redis))
            .Configure<ClusterOptions>(options =>
            {
                options.ClusterId = _worker.Cluster;
                options.ServiceId = WorkerArguments.JobName;
            })
            .Configure<ClientMessagingOptions>(options => options.ResponseTimeout = CallTimeout)
            .Configure<GatewayOptions>(options => options.GatewayListRefreshPeriod = TimeSpan.FromSeconds(1))
            // Until the first silo's gateway is up there is nothing to connect to: try again.
            .UseConnectionRetryFilter(async (_, token) =>
            {
                await Task.Delay(500, token);
                return !Live.Any(s => s.HasExited);
            }));
        var host = builder.Build();
        try
        {
            using var timeout = new CancellationTokenSource(FormTimeout);
            await host.StartAsync(timeout.Token);
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    [GeneratedRegex(@"127\.0\.0\.1:(\d+)")]
    private static partial Regex SiloPort();
}
