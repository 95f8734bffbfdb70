using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Runtime;
using StackExchange.Redis;
using StreamLinq.Orleans;

namespace YahooStreamingBenchmark.Cluster;

/// <summary>
/// The launcher: starts redis-server on a free loopback port, the silo processes, an Orleans
/// client, and the producer; starts the YSB job by name, prints each silo's events per second
/// every second, drains, checks every campaign window's count, stops the job, and stops every
/// process it started, whichever way the run ends (done, failed, cancelled).
/// </summary>
public static partial class LocalClusterRun
{
    private static readonly TimeSpan ClusterStartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Runs the cluster once as <paramref name="options"/> says.</summary>
    /// <exception cref="InvalidOperationException">redis-server is not installed, or a silo died or the cluster did not form in time.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; every process was stopped first.</exception>
    public static async Task<ClusterRunReport> RunAsync(ClusterRunOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        if (!RedisServer.IsInstalled)
        {
            throw new InvalidOperationException("redis-server is not installed (looked on the PATH and in /usr/bin): install it with `sudo apt-get install redis-server` (Debian, Ubuntu) and run again.");
        }

        await using var redis = await RedisServer.StartAsync().ConfigureAwait(false);
        var endpoint = $"127.0.0.1:{redis.Port.ToString(CultureInfo.InvariantCulture)}";
        output.WriteLine($"redis-server on {endpoint} (membership, events, counts)");
        var layout = new ClusterLayout(Guid.NewGuid().ToString("N"), options.Partitions, options.BatchInterval);
        var silos = new List<SiloProcess>();
        try
        {
            for (var number = 1; number <= options.Silos; number++)
            {
                silos.Add(SiloProcess.Start(number, endpoint, layout, output));
            }

            using var client = await ConnectAsync(endpoint, layout, silos, output, cancellationToken).ConfigureAwait(false);
            try
            {
                return await RunJobAsync(options, client.Services.GetRequiredService<IClusterClient>(), redis.Connection, layout, silos, output, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await client.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            await Task.WhenAll(silos.Select(silo => silo.DisposeAsync().AsTask())).ConfigureAwait(false);
        }
    }

    private static async Task<ClusterRunReport> RunJobAsync(ClusterRunOptions options, IClusterClient grains, IConnectionMultiplexer redis, ClusterLayout layout, IReadOnlyList<SiloProcess> silos, TextWriter output, CancellationToken cancellationToken)
    {
        var producer = new EventProducer(redis, layout);
        var job = grains.GetStreamJob(ClusterLayout.JobName);
        if (options.Preload)
        {
            await producer.AppendAsync((long)(options.Rate * options.Seconds), cancellationToken).ConfigureAwait(false);
            output.WriteLine($"appended {producer.Appended:N0} events to {layout.Partitions} streams before the job starts");
        }

        output.WriteLine(await job.ExplainAsync().ConfigureAwait(false));
        await job.StartAsync().ConfigureAwait(false);
        try
        {
            var watch = Stopwatch.StartNew();
            var producing = options.Preload ? Task.CompletedTask : producer.RunAsync(options.Rate, TimeSpan.FromSeconds(options.Seconds), cancellationToken);
            var meter = new ThroughputMeter(silos.Count, output);
            using (var second = new PeriodicTimer(TimeSpan.FromSeconds(1)))
            {
                while (!producing.IsCompleted && await second.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
                {
                    meter.Print(watch.Elapsed, RecordsPerSilo(await job.GetStatusAsync().ConfigureAwait(false), silos));
                }
            }

            await producing.ConfigureAwait(false);
            var drainStarted = watch.Elapsed;
            var mismatches = await DrainAsync(job, producer, layout, redis, cancellationToken).ConfigureAwait(false);
            var report = new ClusterRunReport(RecordsPerSilo(await job.GetStatusAsync().ConfigureAwait(false), silos), producer.Appended, mismatches, (watch.Elapsed - drainStarted).TotalSeconds);
            output.WriteLine($"events read per silo: {string.Join(", ", report.RecordsPerSilo.OrderBy(p => p.Key).Select(p => $"silo {p.Key} {p.Value:N0}"))} (appended {report.Appended:N0})");
            output.WriteLine(mismatches.Count == 0
                ? $"checker: all {producer.Expected.Count} campaign windows hold exactly the views appended"
                : $"checker: {mismatches.Count} campaign windows differ, first: {mismatches[0]}");
            return report;
        }
        finally
        {
            await job.StopAsync().ConfigureAwait(false);
        }
    }

    // Until the executors have read every event (a cheap poll of the driver), then until the
    // store holds every view (a read of every window), the job fails, or the time-out: the
    // mismatches left are the answer.
    private static async Task<IReadOnlyList<string>> DrainAsync(IStreamJob job, EventProducer producer, ClusterLayout layout, IConnectionMultiplexer redis, CancellationToken cancellationToken)
    {
        var store = new RedisWindowStore(redis.GetDatabase(), layout.Prefix);
        var campaigns = Campaigns.Create().Select(c => c.CampaignId).Distinct().ToArray();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var status = await job.GetStatusAsync().ConfigureAwait(false);
            if (status.Failures is [.., var failure])
            {
                return [$"the job failed: {failure}"];
            }

            if (status.RecordsPerSilo.Values.Sum() >= producer.Appended)
            {
                var mismatches = Checker.Compare(producer.Expected, await store.ReadAllAsync(campaigns).ConfigureAwait(false));
                if (mismatches.Count == 0)
                {
                    return mismatches;
                }
            }

            if (deadline.Elapsed > DrainTimeout)
            {
                return Checker.Compare(producer.Expected, await store.ReadAllAsync(campaigns).ConfigureAwait(false));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<IHost> ConnectAsync(string endpoint, ClusterLayout layout, IReadOnlyList<SiloProcess> silos, TextWriter output, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder();
        // The client's failures reach the launcher as exceptions; its retries while the silos start are no news.
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client => client
            .UseRedisClustering(options => options.ConfigurationOptions = ConfigurationOptions.Parse(endpoint))
            .Configure<ClusterOptions>(options =>
            {
                options.ClusterId = layout.Run;
                options.ServiceId = ClusterLayout.JobName;
            })
            // Until the first silo's gateway is up there is nothing to connect to: try again.
            .UseConnectionRetryFilter(async (_, token) =>
            {
                ThrowIfASiloDied(silos);
                await Task.Delay(500, token).ConfigureAwait(false);
                return true;
            }));
        var host = builder.Build();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ClusterStartTimeout);
            await host.StartAsync(timeout.Token).ConfigureAwait(false);
            var management = host.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0);
            while ((await management.GetHosts(onlyActive: true).ConfigureAwait(false)).Count < silos.Count)
            {
                ThrowIfASiloDied(silos);
                await Task.Delay(500, timeout.Token).ConfigureAwait(false);
            }

            output.WriteLine($"{silos.Count} silos active (Orleans membership in Redis)");
            return host;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            host.Dispose();
            throw new InvalidOperationException($"the cluster of {silos.Count} silos did not form within {ClusterStartTimeout.TotalSeconds} s.");
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    // The driver names a silo by its Orleans address (127.0.0.1:port, then a generation); the port says which process it is.
    private static Dictionary<int, long> RecordsPerSilo(StreamJobStatus status, IReadOnlyList<SiloProcess> silos)
    {
        var perSilo = new Dictionary<int, long>();
        foreach (var (identity, records) in status.RecordsPerSilo)
        {
            var port = SiloPort().Match(identity);
            if (port.Success && silos.FirstOrDefault(silo => silo.SiloPort == int.Parse(port.Groups[1].Value, CultureInfo.InvariantCulture)) is { } silo)
            {
                perSilo[silo.Number] = perSilo.GetValueOrDefault(silo.Number) + records;
            }
        }

        return perSilo;
    }

    [GeneratedRegex(@"127\.0\.0\.1:(\d+)")]
    private static partial Regex SiloPort();

    private static void ThrowIfASiloDied(IReadOnlyList<SiloProcess> silos)
    {
        if (silos.FirstOrDefault(silo => silo.HasExited) is { } dead)
        {
            throw new InvalidOperationException($"silo {dead.Number} exited before the cluster formed (its output is above).");
        }
    }
}
