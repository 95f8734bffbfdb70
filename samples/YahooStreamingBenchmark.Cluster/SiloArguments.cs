using System.Globalization;

namespace YahooStreamingBenchmark.Cluster;

/// <summary>What the launcher tells a silo process on its command line, after <c>--silo</c>.</summary>
/// <param name="Number">The silo's number, from 1.</param>
/// <param name="RedisEndpoint">host:port of the run's redis-server: membership, events and counts.</param>
/// <param name="Layout">The run's keys.</param>
/// <param name="SiloPort">The silo-to-silo port on loopback.</param>
/// <param name="GatewayPort">The client gateway port on loopback.</param>
public sealed record SiloArguments(int Number, string RedisEndpoint, ClusterLayout Layout, int SiloPort, int GatewayPort)
{
    /// <summary>The command line of a silo process, <c>--silo</c> first.</summary>
    public static IEnumerable<string> Format(SiloArguments silo) =>
    [
        "--silo", silo.Number.ToString(CultureInfo.InvariantCulture),
        "--redis", silo.RedisEndpoint,
        "--run", silo.Layout.Run,
        "--partitions", silo.Layout.Partitions.ToString(CultureInfo.InvariantCulture),
        "--interval-ms", ((int)silo.Layout.BatchInterval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
        "--silo-port", silo.SiloPort.ToString(CultureInfo.InvariantCulture),
        "--gateway-port", silo.GatewayPort.ToString(CultureInfo.InvariantCulture),
    ];

    /// <summary>Reads what <see cref="Format"/> wrote.</summary>
    /// <exception cref="ArgumentException">A flag is missing or malformed; the message names it.</exception>
    public static SiloArguments Parse(IReadOnlyList<string> args)
    {
        var line = new SiloCommandLine(args, "silo mode");
        return new SiloArguments(
            line.Number("--silo"),
            line.Text("--redis"),
            new ClusterLayout(line.Text("--run"), line.Number("--partitions"), TimeSpan.FromMilliseconds(line.Number("--interval-ms"))),
            line.Number("--silo-port"),
            line.Number("--gateway-port"));
    }
}
