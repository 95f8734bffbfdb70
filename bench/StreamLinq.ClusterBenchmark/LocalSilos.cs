using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using StreamLinq.Orleans;

namespace StreamLinq.ClusterBenchmark;

/// <summary>
/// Silos in this process, on loopback, the first one the membership's primary (Orleans'
/// development clustering): the silos still talk to each other over TCP, every message
/// serialized, but share this process's cores, thread pool and GC. Each set is a new cluster.
/// </summary>
internal sealed class LocalSilos : IAsyncDisposable
{
    private readonly List<IHost> _hosts;

    private LocalSilos(List<IHost> hosts) => _hosts = hosts;

    /// <summary>A grain factory of the first silo: the jobs are called through it.</summary>
    public IGrainFactory Grains => _hosts[0].Services.GetRequiredService<IGrainFactory>();

    /// <summary>Starts <paramref name="count"/> silos, each registering the jobs <paramref name="jobs"/> adds.</summary>
    /// <summary>
    /// Starts job <paramref name="name"/>, lets it warm up, and returns its status before and after
    /// <paramref name="duration"/> of running with the wall time between them; a failed job throws.
    /// </summary>
    public async Task<(StreamJobStatus Before, StreamJobStatus After, TimeSpan Elapsed)> RunAsync(string name, TimeSpan warmUp, TimeSpan duration)
    {
        var job = Grains.GetStreamJob(name);
        await job.StartAsync().ConfigureAwait(false);
        await Task.Delay(warmUp).ConfigureAwait(false);
        var before = await job.GetStatusAsync().ConfigureAwait(false);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(duration).ConfigureAwait(false);
        var after = await job.GetStatusAsync().ConfigureAwait(false);
        var elapsed = watch.Elapsed;
        if (after.Failures.Count > 0)
        {
            throw new InvalidOperationException($"the {name} job failed: {after.Failures[^1]}");
        }

        return (before, after, elapsed);
    }

    public static async Task<LocalSilos> StartAsync(int count, Action<StreamJobRegistry> jobs)
    {
        var cluster = Guid.NewGuid().ToString("N");
        var primary = new IPEndPoint(IPAddress.Loopback, FreePort());
        var hosts = new List<IHost>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var siloPort = i == 0 ? primary.Port : FreePort();
                var builder = Host.CreateApplicationBuilder();
                builder.Logging.ClearProviders();
                builder.UseOrleans(silo => silo
                    .UseLocalhostClustering(siloPort, FreePort(), primary, serviceId: "bench", clusterId: cluster)
                    .AddStreamLinq(jobs));
                var host = builder.Build();
                hosts.Add(host);
                await host.StartAsync().ConfigureAwait(false);
            }

            return new LocalSilos(hosts);
        }
        catch
        {
            await new LocalSilos(hosts).DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Jobs whose batches run back to back end with their silos: shutting a silo down cancels its grains' timers.
        foreach (var host in Enumerable.Reverse(_hosts))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await host.StopAsync(timeout.Token).ConfigureAwait(false);
            host.Dispose();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
