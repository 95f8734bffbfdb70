using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using StackExchange.Redis;
using StreamLinq.Orleans;
using StreamLinq.Redis;

namespace YahooStreamingBenchmark.Cluster;

/// <summary>
/// A silo process's body: an Orleans silo on loopback whose membership is in Redis, run until its
/// standard input closes (the launcher closed it, or the launcher is gone) or it is sent SIGTERM
/// or SIGINT, then stopped gracefully (it leaves the cluster). This sample's silos (the program in
/// <c>--silo</c> mode) and the kill test's silo worker run through it; their launchers start them
/// with <see cref="SiloProcess"/>.
/// </summary>
public static class SiloHost
{
    /// <summary>Runs one silo of this sample, hosting the StreamLinq engine with the YSB job registered by name, until it is told to stop; returns the process's exit code.</summary>
    public static async Task<int> RunAsync(SiloArguments silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        using var redis = await ConnectionMultiplexer.ConnectAsync(silo.RedisEndpoint).ConfigureAwait(false);
        return await RunAsync(silo.RedisEndpoint, silo.Layout.Run, ClusterLayout.JobName, silo.SiloPort, silo.GatewayPort, orleans => orleans
            .AddStreamLinq(jobs => jobs.AddJob(
                ClusterLayout.JobName,
                (context, _) => YsbClusterJob.Define(context, redis, silo.Layout),
                options =>
                {
                    options.BatchInterval = silo.Layout.BatchInterval;
                    options.KeyPartitions = silo.Layout.KeyPartitions;
                    // The driver may move to another silo: its checkpoints are where every silo reaches them.
                    options.CheckpointStore = new RedisCheckpointStore(redis, silo.Layout.Prefix + "checkpoints");
                }))).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a silo on 127.0.0.1 (<paramref name="siloPort"/>, <paramref name="gatewayPort"/>) in the
    /// cluster <paramref name="clusterId"/> of service <paramref name="serviceId"/>, its membership in
    /// the Redis at <paramref name="redisEndpoint"/>, until it is told to stop (see the type); it
    /// prints <c>up on 127.0.0.1:&lt;siloPort&gt;</c> once started, and logs errors only unless
    /// <paramref name="logging"/> says more. Returns the process's exit code.
    /// </summary>
    /// <param name="redisEndpoint">host:port of the redis-server holding the membership table.</param>
    /// <param name="clusterId">The Orleans cluster id: one per run, so that runs sharing a server never join each other.</param>
    /// <param name="serviceId">The Orleans service id.</param>
    /// <param name="siloPort">The silo-to-silo port on loopback.</param>
    /// <param name="gatewayPort">The client gateway port on loopback.</param>
    /// <param name="configure">Adds the rest to the silo: the StreamLinq engine and its jobs, settings.</param>
    /// <param name="logging">Adds log filters over the errors-only default; null for none.</param>
    public static async Task<int> RunAsync(string redisEndpoint, string clusterId, string serviceId, int siloPort, int gatewayPort, Action<ISiloBuilder> configure, Action<ILoggingBuilder>? logging = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(redisEndpoint);
        ArgumentNullException.ThrowIfNull(configure);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        logging?.Invoke(builder.Logging);
        builder.UseOrleans(orleans =>
        {
            orleans
                .UseRedisClustering(options => options.ConfigurationOptions = ConfigurationOptions.Parse(redisEndpoint))
                .Configure<ClusterOptions>(options =>
                {
                    options.ClusterId = clusterId;
                    options.ServiceId = serviceId;
                })
                .ConfigureEndpoints(IPAddress.Loopback, siloPort, gatewayPort);
            configure(orleans);
        });

        using var host = builder.Build();
        await host.StartAsync().ConfigureAwait(false);
        Console.WriteLine($"up on 127.0.0.1:{siloPort}");
        // The launcher holds the other end of standard input: end of input means stop.
        await Task.WhenAny(Console.In.ReadToEndAsync(), host.WaitForShutdownAsync()).ConfigureAwait(false);
        await host.StopAsync().ConfigureAwait(false);
        return 0;
    }
}
