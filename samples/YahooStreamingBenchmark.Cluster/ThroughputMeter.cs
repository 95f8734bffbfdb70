using System.Globalization;
using System.Text;

namespace YahooStreamingBenchmark.Cluster;

/// <summary>Turns each silo's running count of events read into one line of events per second per silo.</summary>
internal sealed class ThroughputMeter(int silos, TextWriter output)
{
    private IReadOnlyDictionary<int, long> _last = new Dictionary<int, long>();
    private TimeSpan _lastAt;

    /// <summary>Prints the rate of each silo since the last call, from its running count at <paramref name="at"/>.</summary>
    public void Print(TimeSpan at, IReadOnlyDictionary<int, long> totals)
    {
        var seconds = (at - _lastAt).TotalSeconds;
        var line = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{at.TotalSeconds,5:F0} s ");
        long all = 0;
        for (var silo = 1; silo <= silos; silo++)
        {
            var delta = totals.GetValueOrDefault(silo) - _last.GetValueOrDefault(silo);
            all += delta;
            line.Append(CultureInfo.InvariantCulture, $"  silo {silo}: {delta / seconds,9:N0} events/s");
        }

        line.Append(CultureInfo.InvariantCulture, $"   all: {all / seconds,9:N0} events/s");
        lock (output)
        {
            output.WriteLine(line.ToString());
        }

        _last = totals;
        _lastAt = at;
    }
}
