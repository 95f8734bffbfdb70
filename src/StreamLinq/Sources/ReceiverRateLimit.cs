using System.Diagnostics;

namespace StreamLinq.Sources;

/// <summary>
/// A token bucket whose rate back pressure changes in place (one volatile write), so that an update
/// never replaces the limiter under producers that are waiting on it. Producers take tokens in
/// grants of about a millisecond's worth, so the bucket's lock is taken per grant, not per record,
/// and it is never taken by a seal. A grant that overdraws the bucket is paid for by waiting.
/// </summary>
internal sealed class ReceiverRateLimit
{
    private static readonly double TicksPerSecond = Stopwatch.Frequency;
    private readonly Lock _gate = new();
    private double _rate;
    private double _tokens;
    private long _refilled = Stopwatch.GetTimestamp();

    public ReceiverRateLimit(double recordsPerSecond)
    {
        _rate = recordsPerSecond;
        _tokens = Burst(recordsPerSecond);
    }

    public double RatePerSecond => Volatile.Read(ref _rate);

    public void SetRate(double recordsPerSecond) => Volatile.Write(ref _rate, recordsPerSecond);

    /// <summary>How many records a producer takes per grant: about a millisecond's worth.</summary>
    public int Grant => (int)Math.Clamp(RatePerSecond / 1000, 1, 4096);

    /// <summary>Takes <paramref name="count"/> tokens; returns how long the caller must wait before using them (zero when they were there).</summary>
    public TimeSpan Take(int count)
    {
        lock (_gate)
        {
            var rate = Volatile.Read(ref _rate);
            if (double.IsPositiveInfinity(rate))
            {
                return TimeSpan.Zero;
            }

            var now = Stopwatch.GetTimestamp();

            // Refill up to 10 ms of tokens: the limit stays smooth within a batch, never a burst per second.
            _tokens = Math.Min(Burst(rate), _tokens + ((now - _refilled) / TicksPerSecond * rate));
            _refilled = now;
            _tokens -= count;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / rate);
        }
    }

    private static double Burst(double rate) => Math.Max(1, rate / 100);
}
