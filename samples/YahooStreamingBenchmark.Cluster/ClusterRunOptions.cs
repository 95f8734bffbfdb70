using System.Globalization;

namespace YahooStreamingBenchmark.Cluster;

/// <summary>What one run of the local cluster does: how many silos, for how long, at what rate.</summary>
/// <param name="Silos">Silo processes to start.</param>
/// <param name="Seconds">How long the producer appends events; the run then drains, checks and stops.</param>
/// <param name="Rate">Events appended per second, over all partitions.</param>
/// <param name="Partitions">Redis streams the events are spread over: the source's partitions.</param>
/// <param name="Interval">The job's batch interval.</param>
/// <param name="Preload">Append every event (<paramref name="Seconds"/> × <paramref name="Rate"/>) before the job starts, then time how long the cluster takes to read them all: a throughput figure with no producer competing for the cores.</param>
public sealed record ClusterRunOptions(
    int Silos = 3,
    double Seconds = 20,
    long Rate = 20_000,
    int Partitions = 12,
    TimeSpan? Interval = null,
    bool Preload = false)
{
    /// <summary>The usage line the program prints on bad arguments.</summary>
    public const string Usage = "usage: YahooStreamingBenchmark.Cluster [--silos N] [--seconds S] [--rate EVENTS_PER_S] [--partitions P] [--interval-ms MS] [--preload]";

    /// <summary>The batch interval, one second unless set.</summary>
    public TimeSpan BatchInterval => Interval ?? TimeSpan.FromSeconds(1);

    /// <summary>Reads the command line.</summary>
    /// <exception cref="ArgumentException">An unknown flag, a missing or malformed value, or a value out of range; the message names it.</exception>
    public static ClusterRunOptions Parse(IReadOnlyList<string> args)
    {
        var options = new ClusterRunOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var flag = args[i];
            if (flag == "--preload")
            {
                options = options with { Preload = true };
                continue;
            }

            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"{flag} needs a value. {Usage}");
            }

            var value = args[++i];
            options = flag switch
            {
                "--silos" => options with { Silos = Number(flag, value, 1, 16) },
                "--seconds" => options with { Seconds = Number(flag, value, 1, 3600) },
                "--rate" => options with { Rate = Number(flag, value, 1, 10_000_000) },
                "--partitions" => options with { Partitions = Number(flag, value, 1, 1024) },
                "--interval-ms" => options with { Interval = TimeSpan.FromMilliseconds(Number(flag, value, 10, 60_000)) },
                _ => throw new ArgumentException($"Unknown flag {flag}. {Usage}"),
            };
        }

        return options;
    }

    private static int Number(string flag, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max
            ? number
            : throw new ArgumentException($"{flag} takes a whole number from {min} to {max}, not '{value}'. {Usage}");
}
