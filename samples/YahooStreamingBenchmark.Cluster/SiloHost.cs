using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using StackExchange.Redis;
using StreamLinq.Orleans;
using StreamLinq.Redis;

namespace YahooStreamingBenchmark.Cluster;

/// <summary>
/// The program in <c>--silo</c> mode: an Orleans silo on loopback whose membership is in Redis,
/// hosting the StreamLinq engine with the YSB job registered by name. It runs until its standard
/// input closes (the launcher closed it, or the launcher is gone) or it is sent SIGTERM or SIGINT.
/// </summary>
public static class SiloHost
{
    /// <summary>Runs one silo until it is told to stop; returns the process's exit code.</summary>
    public static async Task<int> RunAsync(SiloArguments silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        using var redis = await ConnectionMultiplexer.ConnectAsync(silo.RedisEndpoint).ConfigureAwait(false);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        builder.Services.AddSingleton<IConnectionMultiplexer>(redis);
        builder.UseOrleans(orleans => orleans
            .UseRedisClustering(options => options.ConfigurationOptions = ConfigurationOptions.Parse(silo.RedisEndpoint))
            .Configure<ClusterOptions>(options =>
            {
                options.ClusterId = silo.Layout.Run;
                options.ServiceId = ClusterLayout.JobName;
            })
            .ConfigureEndpoints(IPAddress.Loopback, silo.SiloPort, silo.GatewayPort)
            .AddStreamLinq(jobs => jobs.AddJob(
                ClusterLayout.JobName,
                (context, services) => YsbClusterJob.Define(context, services.GetRequiredService<IConnectionMultiplexer>(), silo.Layout),
                options =>
                {
                    options.BatchInterval = silo.Layout.BatchInterval;
                    options.KeyPartitions = silo.Layout.KeyPartitions;
                    // The driver may move to another silo: its checkpoints are where every silo reaches them.
                    options.CheckpointStore = new RedisCheckpointStore(redis, silo.Layout.Prefix + "checkpoints");
                })));

        using var host = builder.Build();
        await host.StartAsync().ConfigureAwait(false);
        Console.WriteLine($"up on 127.0.0.1:{silo.SiloPort}");
        // The launcher holds the other end of standard input: end of input means stop.
        await Task.WhenAny(Console.In.ReadToEndAsync(), host.WaitForShutdownAsync()).ConfigureAwait(false);
        await host.StopAsync().ConfigureAwait(false);
        return 0;
    }
}
