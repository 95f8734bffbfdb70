using System.Globalization;
using YahooStreamingBenchmark.Cluster;

namespace StreamLinq.ClusterWorker;

/// <summary>What the kill test tells a silo worker on its command line.</summary>
/// <param name="Redis">host:port of the run's redis-server: Orleans membership and the source streams.</param>
/// <param name="Cluster">The Orleans cluster id (one per run, so that runs sharing a server never join each other).</param>
/// <param name="Postgres">The connection string of the PostgreSQL database: the sink's table, its commits and the driver's checkpoints.</param>
/// <param name="Streams">How many source streams (source partitions).</param>
/// <param name="KeyPartitions">How many key partitions (reducers).</param>
/// <param name="IntervalMilliseconds">The batch interval.</param>
/// <param name="Sink"><c>exactly-once</c> (the transactional PostgreSQL sink) or <c>idempotent</c> (an upsert by record number, at least once).</param>
/// <param name="SiloPort">The silo-to-silo port on loopback.</param>
/// <param name="GatewayPort">The client gateway port on loopback.</param>
public sealed record WorkerArguments(string Redis, string Cluster, string Postgres, int Streams, int KeyPartitions, int IntervalMilliseconds, string Sink, int SiloPort, int GatewayPort)
{
    /// <summary>The job's name in every silo's registry.</summary>
    public const string JobName = "numbers";

    /// <summary>The sink's table: one row per record written, <c>n bigint</c>.</summary>
    public string Table => "numbers_" + Cluster;

    /// <summary>The source streams, one per partition.</summary>
    public IReadOnlyList<string> StreamKeys => [.. Enumerable.Range(0, Streams).Select(p => $"numbers:{Cluster}:{p.ToString(CultureInfo.InvariantCulture)}")];

    /// <summary>The command line.</summary>
    public IEnumerable<string> Format() =>
    [
        "--redis", Redis,
        "--cluster", Cluster,
        "--postgres", Postgres,
        "--streams", Streams.ToString(CultureInfo.InvariantCulture),
        "--key-partitions", KeyPartitions.ToString(CultureInfo.InvariantCulture),
        "--interval-ms", IntervalMilliseconds.ToString(CultureInfo.InvariantCulture),
        "--sink", Sink,
        "--silo-port", SiloPort.ToString(CultureInfo.InvariantCulture),
        "--gateway-port", GatewayPort.ToString(CultureInfo.InvariantCulture),
    ];

    /// <summary>Reads what <see cref="Format"/> wrote.</summary>
    /// <exception cref="ArgumentException">A flag is missing or malformed; the message names it.</exception>
    public static WorkerArguments Parse(IReadOnlyList<string> args)
    {
        var line = new SiloCommandLine(args, "the silo worker");
        var sink = line.Text("--sink");
        if (sink is not ("exactly-once" or "idempotent"))
        {
            throw new ArgumentException($"the silo worker's --sink is exactly-once or idempotent, not '{sink}'.");
        }

        return new WorkerArguments(
            line.Text("--redis"),
            line.Text("--cluster"),
            line.Text("--postgres"),
            line.Number("--streams"),
            line.Number("--key-partitions"),
            line.Number("--interval-ms"),
            sink,
            line.Number("--silo-port"),
            line.Number("--gateway-port"));
    }
}
