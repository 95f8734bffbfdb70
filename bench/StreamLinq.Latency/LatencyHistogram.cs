using System.Diagnostics;
using System.Numerics;

namespace StreamLinq.Latency;

/// <summary>
/// Per-record latencies in buckets about 6 % wide (a power of two of microseconds split in 16),
/// from 1 µs to about 18 h, so a batch of millions of records is recorded at a couple of
/// nanoseconds each (no logarithm per record).
/// </summary>
internal sealed class LatencyHistogram
{
    private const int Steps = 16;
    private static readonly long TicksPerMicrosecond = Math.Max(1, Stopwatch.Frequency / 1_000_000);
    private readonly long[] _counts = new long[36 * Steps];
    private long _total;

    public long Count => _total;

    public void Add(long latencyTicks, long records = 1)
    {
        var micros = (ulong)Math.Max(1, latencyTicks / TicksPerMicrosecond);
        var power = BitOperations.Log2(micros);
        var fraction = power >= 4 ? (int)((micros >> (power - 4)) & (Steps - 1)) : (int)((micros << (4 - power)) & (Steps - 1));
        _counts[Math.Min(_counts.Length - 1, (power * Steps) + fraction)] += records;
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
                // The bucket's upper edge: (1 + (fraction + 1) / 16) × 2^power µs.
                var power = i / Steps;
                var fraction = i % Steps;
                return TimeSpan.FromMicroseconds(Math.Pow(2, power) * (1 + ((fraction + 1) / (double)Steps)));
            }
        }

        return TimeSpan.MaxValue;
    }
}
