using System.Globalization;

namespace YahooStreamingBenchmark.Cluster;

/// <summary>
/// The Redis keys of one run, shared by the launcher (which appends and checks) and the silos
/// (which read and count): one stream per partition and the window store's prefix, all under a
/// per-run prefix so that runs sharing a server never mix.
/// </summary>
/// <param name="Run">The run's id; also the Orleans cluster id, so that silos of two runs never join each other.</param>
/// <param name="Partitions">How many event streams.</param>
/// <param name="BatchInterval">The job's batch interval.</param>
public sealed record ClusterLayout(string Run, int Partitions, TimeSpan BatchInterval)
{
    /// <summary>The job's name in the silos' job registry.</summary>
    public const string JobName = "ysb";

    /// <summary>Key partitions (reducer grains) the campaign windows are hashed into.</summary>
    public int KeyPartitions => 4;

    /// <summary>The prefix of every key of the run.</summary>
    public string Prefix => $"ysb:{Run}:";

    /// <summary>The event streams, one per partition.</summary>
    public IReadOnlyList<string> StreamKeys =>
        [.. Enumerable.Range(0, Partitions).Select(p => Prefix + "events:" + p.ToString(CultureInfo.InvariantCulture))];
}
