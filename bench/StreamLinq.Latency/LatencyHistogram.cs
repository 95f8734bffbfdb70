using System.Diagnostics;

namespace StreamLinq.Latency;

/// <summary>
/// Per-record latencies in logarithmic buckets (about 2 % wide) from 1 µs to about 10 min, so a
/// batch of millions of records is recorded at a couple of nanoseconds each.
/// </summary>
internal sealed class LatencyHistogram
{
    private const double Base = 1.02;
    private static readonly double TicksPerMicrosecond = Stopwatch.Frequency / 1e6;
    private readonly long[] _counts = new long[1100];
    private long _total;

    public long Count => _total;

    public void Add(long latencyTicks, long records = 1)
    {
        var micros = Math.Max(1, latencyTicks / TicksPerMicrosecond);
        var bucket = Math.Min(_counts.Length - 1, (int)(Math.Log(micros) / Math.Log(Base)));
        _counts[bucket] += records;
        _total += records;
    }

    public TimeSpan Percentile(double p)
    {
        if (_total == 0)
        {
            return TimeSpan.Zero;
        }

        var rank = (long)Math.Ceiling(p * _total);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return TimeSpan.FromMicroseconds(Math.Pow(Base, i + 1));
            }
        }

        return TimeSpan.FromMicroseconds(Math.Pow(Base, _counts.Length));
    }
}
