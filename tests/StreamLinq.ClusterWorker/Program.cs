// One silo of the multi-process kill test (tests/StreamLinq.Cluster.Tests): an Orleans silo on
// loopback whose membership is in Redis, hosting the engine with the numbers job registered by
// name (NumbersJob), its driver checkpointing into PostgreSQL. Failure detection is tuned to find
// a killed silo in about 2 seconds, and its grains may start elsewhere 2 seconds after that (see
// FastFailureDetection). It runs until its standard input closes, then leaves the cluster
// gracefully; the test kills it with SIGKILL the rest of the time.
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Configuration;
using StackExchange.Redis;
using StreamLinq.ClusterWorker;
using StreamLinq.Orleans;
using StreamLinq.Postgres;

WorkerArguments worker;
try
{
    worker = WorkerArguments.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

using var redis = await ConnectionMultiplexer.ConnectAsync(worker.Redis);
await using var postgres = NpgsqlDataSource.Create(worker.Postgres);
var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Error);
// Which silo runs the driver, under which epoch, and when one is fenced: the silos' output a failing kill test prints.
builder.Logging.AddFilter("StreamLinq.Orleans", LogLevel.Information);
builder.UseOrleans(orleans => orleans
    .UseRedisClustering(options => options.ConfigurationOptions = ConfigurationOptions.Parse(worker.Redis))
    .Configure<ClusterOptions>(options =>
    {
        options.ClusterId = worker.Cluster;
        options.ServiceId = WorkerArguments.JobName;
    })
    .Configure<ClusterMembershipOptions>(FastFailureDetection.Apply)
    .Configure<GrainDirectoryOptions>(FastFailureDetection.Apply)
    .Configure<SiloMessagingOptions>(options => options.ResponseTimeout = FastFailureDetection.ResponseTimeout)
    .ConfigureEndpoints(IPAddress.Loopback, worker.SiloPort, worker.GatewayPort)
    .AddStreamLinq(jobs => jobs.AddJob(
        WorkerArguments.JobName,
        (context, _) => NumbersJob.Define(context, redis, postgres, worker),
        options =>
        {
            options.BatchInterval = TimeSpan.FromMilliseconds(worker.IntervalMilliseconds);
            options.KeyPartitions = worker.KeyPartitions;
            // The driver may move to any silo: its checkpoints are where every silo reaches them.
            options.CheckpointStore = new PostgresCheckpointStore(postgres, worker.Table);
        })));

using var host = builder.Build();
await host.StartAsync();
Console.WriteLine($"up on 127.0.0.1:{worker.SiloPort}");
// The test holds the other end of standard input: end of input means leave the cluster.
await Task.WhenAny(Console.In.ReadToEndAsync(), host.WaitForShutdownAsync());
await host.StopAsync();
return 0;
