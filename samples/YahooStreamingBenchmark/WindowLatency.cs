using System.Globalization;

namespace YahooStreamingBenchmark;

/// <summary>
/// The window-latency lines of the report: a percentile only when there are enough windows for it
/// to mean something (the p-th percentile of n values is an observed value only when n ≥ 1/(1−p):
/// 2 windows for p50, 10 for p90, 100 for p99); otherwise the count and the maximum, and why.
/// </summary>
public static class WindowLatency
{
    /// <summary>The fewest windows a percentile needs.</summary>
    public static int WindowsFor(double percentile) => (int)Math.Ceiling(1 / (1 - percentile) - 1e-9);

    /// <summary>The report's rows for the sorted latencies (ms).</summary>
    public static IEnumerable<(string Label, string Value, string Note)> Rows(long[] sortedMs)
    {
        if (sortedMs.Length == 0)
        {
            yield return ("window latency", "n/a", "no 10-second window ended during the run; run for longer (--seconds 12 or more)");
            yield break;
        }

        foreach (var p in new[] { 0.5, 0.9, 0.99 })
        {
            var label = "window latency p" + (p * 100).ToString(CultureInfo.InvariantCulture);
            var needed = WindowsFor(p);
            yield return sortedMs.Length >= needed
                ? (label, Ms(sortedMs[(int)Math.Ceiling(sortedMs.Length * p) - 1]), $"end of window to its final write, over {sortedMs.Length} windows")
                : (label, "n/a", $"needs at least {needed} windows, the run had {sortedMs.Length}; run for longer");
        }

        yield return ("window latency max", Ms(sortedMs[^1]), $"over {sortedMs.Length} windows");
    }

    private static string Ms(long ms) => ms.ToString("N0", CultureInfo.InvariantCulture) + " ms";
}
