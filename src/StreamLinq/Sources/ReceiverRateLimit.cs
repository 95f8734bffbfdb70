namespace StreamLinq.Sources;

/// <summary>
/// A token bucket whose rate back pressure changes in place (one volatile write), so that an update
/// never replaces the limiter under producers that are waiting on it. Producers take tokens in
/// grants of about a millisecond's worth, so the bucket's lock is taken per grant, not per record,
/// and it is never taken by a seal. A grant that overdraws the bucket is paid for by waiting.
/// </summary>
internal sealed class ReceiverRateLimit
{
    private readonly Lock _gate = new();
    private TimeProvider _time;
    private double _rate;
    private double _tokens;
    private long _refilled;

    public ReceiverRateLimit(double recordsPerSecond, TimeProvider time)
    {
        _rate = recordsPerSecond;
        _tokens = Burst(recordsPerSecond);
        _time = time;
        _refilled = time.GetTimestamp();
    }

    /// <summary>Moves the bucket onto the context's clock (a limit configured before the source started is made on the system clock).</summary>
    public void UseClock(TimeProvider time)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(time, _time))
            {
                _time = time;
                _refilled = time.GetTimestamp();
            }
        }
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

            var now = _time.GetTimestamp();

            // Refill up to 10 ms of tokens: the limit stays smooth within a batch, never a burst per second.
            _tokens = Math.Min(Burst(rate), _tokens + ((now - _refilled) / (double)_time.TimestampFrequency * rate));
            _refilled = now;
            _tokens -= count;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / rate);
        }
    }

    private static double Burst(double rate) => Math.Max(1, rate / 100);
}
