namespace StreamLinq.Scheduling;

/// <summary>
/// Adaptive batching: after every completed batch, fits processing time against batch size and
/// proposes the smallest stable interval (see <see cref="AdaptiveBatchInterval"/> for the model)
/// to the <see cref="BatchIntervalSchedule"/>, which applies it at the next batch boundary.
/// </summary>
internal sealed class AdaptiveIntervalController : IStreamingListener
{
    /// <summary>How many recent batches the fit uses: enough to see the cost per record, few enough to follow a load step.</summary>
    private const int Fitted = 8;

    /// <summary>How many recent batches the input rate is taken over.</summary>
    private const int RateWindow = 3;

    /// <summary>Intervals are whole multiples of this when no window constrains them.</summary>
    private static readonly long Grid = StreamingContext.MinBatchInterval.Ticks;

    private readonly AdaptiveBatchInterval _settings;
    private readonly BatchIntervalSchedule _schedule;
    private readonly Func<bool> _heldBack;
    private readonly long[]? _allowed;
    private readonly Queue<(double Records, double Seconds, double Processing)> _batches = new();
    private BatchTime? _previous;

    /// <param name="settings">The bounds and headroom.</param>
    /// <param name="schedule">Where the choice goes; its plan's windows decide which intervals are allowed.</param>
    /// <param name="windowPeriod">The greatest common divisor of every window's length and slide, in ticks; null without windows.</param>
    /// <param name="heldBack">Whether back pressure held producers back during the last batch.</param>
    public AdaptiveIntervalController(AdaptiveBatchInterval settings, BatchIntervalSchedule schedule, long? windowPeriod, Func<bool> heldBack)
    {
        _settings = settings;
        _schedule = schedule;
        _heldBack = heldBack;
        _allowed = windowPeriod is { } period ? Divisors(period, settings.Minimum.Ticks, settings.Maximum.Ticks) : null;
    }

    /// <summary>The interval the last batch made it choose; null before the first choice.</summary>
    public TimeSpan? Chosen { get; private set; }

    public void OnBatchCompleted(BatchInfo batch)
    {
        var length = _previous is { } previous && batch.Time > previous ? batch.Time - previous : batch.Interval;
        _previous = batch.Time;
        if (batch.Failure is not null || batch is not { RecordCount: { } records, ProcessingDelay: { } processing } || length <= TimeSpan.Zero)
        {
            return;
        }

        _batches.Enqueue((records, length.TotalSeconds, processing.TotalSeconds));
        if (_batches.Count > Fitted)
        {
            _batches.Dequeue();
        }

        var current = _schedule.Upcoming;
        var wanted = Stable();
        if (_heldBack())
        {
            wanted = Math.Max(wanted, current.TotalSeconds * 1.5);
        }

        var chosen = Allowed(Math.Clamp(wanted, current.TotalSeconds / 2, current.TotalSeconds * 2));
        Chosen = chosen;
        _schedule.Propose(chosen);
    }

    /// <summary>The smallest interval, in seconds, at which the fitted processing time stays within the headroom at the recent input rate.</summary>
    private double Stable()
    {
        var recent = _batches.Reverse().Take(RateWindow).ToList();
        var seconds = recent.Sum(b => b.Seconds);
        var rate = seconds > 0 ? recent.Sum(b => b.Records) / seconds : 0;
        var (fixedCost, perRecord) = Fit();
        var budget = 1 - _settings.Headroom - (perRecord * rate);
        if (budget <= 0)
        {
            return _settings.Maximum.TotalSeconds;
        }

        // Nothing to amortise (or nothing learnt yet): the shortest interval keeps up.
        return fixedCost <= 0 ? _settings.Minimum.TotalSeconds : fixedCost / budget;
    }

    /// <summary>
    /// Processing time as a fixed cost per batch plus a cost per record, by least squares over the
    /// recent batches; both kept non-negative. When the batches' sizes hardly differ the two
    /// cannot be told apart and the time is taken as all fixed cost: the choice is then Das et
    /// al.'s fixed-point step <c>x ← p(x) / (1 − Headroom)</c>, which errs towards longer intervals,
    /// is exact at the stable interval, and moves the size so that the next fit can tell them apart.
    /// </summary>
    private (double Fixed, double PerRecord) Fit()
    {
        var n = _batches.Count;
        var meanRecords = _batches.Average(b => b.Records);
        var meanTime = _batches.Average(b => b.Processing);
        var spread = _batches.Sum(b => (b.Records - meanRecords) * (b.Records - meanRecords)) / n;
        if (n < 3 || meanRecords <= 0 || spread <= 0.01 * meanRecords * meanRecords)
        {
            return (meanTime, 0);
        }

        var slope = _batches.Sum(b => (b.Records - meanRecords) * (b.Processing - meanTime)) / n / spread;
        var intercept = meanTime - (slope * meanRecords);
        if (slope < 0)
        {
            return (meanTime, 0);
        }

        if (intercept < 0)
        {
            // Through the origin instead: all the time is per record.
            return (0, _batches.Sum(b => b.Records * b.Processing) / _batches.Sum(b => b.Records * b.Records));
        }

        return (intercept, slope);
    }

    /// <summary>The allowed interval closest above <paramref name="seconds"/>, or the largest allowed one.</summary>
    private TimeSpan Allowed(double seconds)
    {
        var ticks = (long)Math.Min(seconds * TimeSpan.TicksPerSecond, _settings.Maximum.Ticks);
        if (_allowed is null)
        {
            var onGrid = Math.Max((ticks + Grid - 1) / Grid * Grid, _settings.Minimum.Ticks);
            return TimeSpan.FromTicks(Math.Min(onGrid, _settings.Maximum.Ticks));
        }

        if (_allowed.Length == 0)
        {
            return _schedule.Upcoming;
        }

        foreach (var allowed in _allowed)
        {
            if (allowed >= ticks)
            {
                return TimeSpan.FromTicks(allowed);
            }
        }

        return TimeSpan.FromTicks(_allowed[^1]);
    }

    /// <summary>The divisors of <paramref name="period"/> between the bounds, ascending.</summary>
    private static long[] Divisors(long period, long minimum, long maximum)
    {
        var divisors = new List<long>();
        for (long d = 1; d * d <= period; d++)
        {
            if (period % d == 0)
            {
                divisors.Add(d);
                divisors.Add(period / d);
            }
        }

        return [.. divisors.Where(d => d >= minimum && d <= maximum).Distinct().Order()];
    }
}
