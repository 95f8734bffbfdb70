// One silo of the multi-process kill test (tests/StreamLinq.Cluster.Tests): an Orleans silo on
// loopback whose membership is in Redis (the cluster sample's SiloHost), hosting the engine with
// the numbers job registered by name (NumbersJob), its driver checkpointing into PostgreSQL.
// Failure detection is tuned to find a killed silo in about 2 seconds, and its grains may start
// elsewhere 2 seconds after that (see FastFailureDetection). It runs until its standard input
// closes, then leaves the cluster gracefully; the test kills it with SIGKILL the rest of the time.
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Configuration;
using StackExchange.Redis;
using StreamLinq.ClusterWorker;
using StreamLinq.Orleans;
using StreamLinq.Postgres;
using YahooStreamingBenchmark.Cluster;

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
return await SiloHost.RunAsync(
    worker.Redis,
    worker.Cluster,
    WorkerArguments.JobName,
    worker.SiloPort,
    worker.GatewayPort,
    orleans => orleans
        .Configure<ClusterMembershipOptions>(FastFailureDetection.Apply)
        .Configure<GrainDirectoryOptions>(FastFailureDetection.Apply)
        .Configure<SiloMessagingOptions>(options => options.ResponseTimeout = FastFailureDetection.ResponseTimeout)
        .AddStreamLinq(jobs => jobs.AddJob(
            WorkerArguments.JobName,
            (context, _) => NumbersJob.Define(context, redis, postgres, worker),
            options =>
            {
                options.BatchInterval = TimeSpan.FromMilliseconds(worker.IntervalMilliseconds);
                options.KeyPartitions = worker.KeyPartitions;
                // The driver may move to any silo: its checkpoints are where every silo reaches them.
                options.CheckpointStore = new PostgresCheckpointStore(postgres, worker.Table);
            })),
    // Which silo runs the driver, under which epoch, and when one is fenced: the silos' output a failing kill test prints.
    logging => logging.AddFilter("StreamLinq.Orleans", LogLevel.Information));
