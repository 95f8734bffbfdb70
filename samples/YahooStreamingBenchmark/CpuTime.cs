using System.Globalization;

namespace YahooStreamingBenchmark;

/// <summary>
/// CPU time of the calling thread, from Linux's <c>/proc/thread-self/stat</c> (user + system,
/// in clock ticks of 10 ms): what the generator thread used, so that it can be left out of the
/// job's CPU time. Null where that file does not exist.
/// </summary>
internal static class CpuTime
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    public static TimeSpan? CurrentThread()
    {
        try
        {
            var stat = File.ReadAllText("/proc/thread-self/stat");
            // Fields after the command name, which is in parentheses and may contain spaces.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var user = long.Parse(fields[11], CultureInfo.InvariantCulture);
            var system = long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds((user + system) / TicksPerSecond);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
