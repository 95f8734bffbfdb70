using System.Globalization;

namespace StreamLinq.Latency;

/// <summary>
/// CPU time per thread name (Linux, from /proc/self/task), so that a run's work can be told
/// apart on a busy machine: the producer, the batch runner, the pool workers that run its
/// partitions, the garbage collector. Empty elsewhere.
/// </summary>
internal static class ThreadTimes
{
    private const string Tasks = "/proc/self/task";

    /// <summary>CPU milliseconds so far (threads that ended are not counted), by thread name.</summary>
    public static Dictionary<string, double> Take()
    {
        var times = new Dictionary<string, double>();
        if (!Directory.Exists(Tasks))
        {
            return times;
        }

        foreach (var task in Directory.EnumerateDirectories(Tasks))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(task, "stat"));

                // The name is in parentheses and may hold spaces; utime and stime are the 12th and
                // 13th fields after it, in clock ticks of 10 ms (USER_HZ is 100 on Linux).
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                var name = stat[(open + 1)..close];
                var fields = stat[(close + 2)..].Split(' ');
                var jiffies = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                times[name] = times.GetValueOrDefault(name) + (jiffies * 10.0);
            }
            catch (IOException)
            {
                // The thread ended meanwhile.
            }
        }

        return times;
    }

    /// <summary>What each thread name spent between two takes, in nanoseconds per record, the largest first.</summary>
    public static string PerRecord(Dictionary<string, double> before, Dictionary<string, double> after, long records) =>
        string.Join(", ", after
            .Select(t => (t.Key, Spent: t.Value - before.GetValueOrDefault(t.Key)))
            .Where(t => t.Spent > 0)
            .OrderByDescending(t => t.Spent)
            .Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Key} {t.Spent * 1e6 / Math.Max(1, records):N1}")));
}
