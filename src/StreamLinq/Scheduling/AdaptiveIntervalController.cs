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

    /// <summary>
    /// The least spread of batch sizes (standard deviation over mean) the fit needs: over a
    /// narrower range, jitter in processing times makes the slope noise.
    /// </summary>
    private const double MinSpread = 0.2;

    /// <summary>The most one batch may shorten the interval by: to this share of it.</summary>
    private const double ShrinkLimit = 0.75;

    /// <summary>Near capacity, the share of the slack left (1 − load) kept as headroom.</summary>
    private const double SlackKept = 0.25;

    /// <summary>Intervals are whole multiples of this when no window constrains them.</summary>
    private static readonly long Grid = StreamingContext.MinBatchInterval.Ticks;

    private readonly AdaptiveBatchInterval _settings;
    private readonly BatchIntervalSchedule _schedule;
    private readonly Func<bool> _heldBack;
    private readonly long[]? _allowed;
    private readonly Queue<(double Records, double Seconds, double Processing, long Time, long Start)> _batches = new();
    private readonly int _queued;
    private BatchTime? _previous;
    private double _perRecord;

    /// <param name="settings">The bounds and headroom.</param>
    /// <param name="schedule">Where the choice goes; its plan's windows decide which intervals are allowed.</param>
    /// <param name="windowPeriod">The greatest common divisor of every window's length and slide, in ticks; null without windows.</param>
    /// <param name="heldBack">Whether back pressure held producers back during the last batch.</param>
    /// <param name="queued">How many sealed batches may wait for the runner (<see cref="StreamingOptions.MaxQueuedBatches"/>).</param>
    public AdaptiveIntervalController(AdaptiveBatchInterval settings, BatchIntervalSchedule schedule, long? windowPeriod, Func<bool> heldBack, int queued)
    {
        _queued = queued;
        _settings = settings;
        _schedule = schedule;
        _heldBack = heldBack;
        _allowed = windowPeriod is { } period ? Divisors(period, settings.Minimum.Ticks, settings.Maximum.Ticks) : null;
    }

    public void OnBatchCompleted(BatchInfo batch)
    {
        var length = _previous is { } previous && batch.Time > previous ? batch.Time - previous : batch.Interval;
        _previous = batch.Time;
        if (batch.Failure is not null || batch is not { RecordCount: { } records, ProcessingDelay: { } processing, ProcessingStartTime: { } start } || length <= TimeSpan.Zero)
        {
            return;
        }

        _batches.Enqueue((records, length.TotalSeconds, processing.TotalSeconds, batch.Time.Ticks, start));
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

        // Up fast, since a batch too short for the load builds a backlog; down by steps, since a
        // fit on noisy times would otherwise swing the interval from batch to batch.
        var chosen = Allowed(Math.Clamp(wanted, current.TotalSeconds * ShrinkLimit, current.TotalSeconds * 2));
        if (chosen == current && Allowed(wanted) < current)
        {
            // A step of a quarter rounded up to the allowed intervals would never leave a short one.
            chosen = Below(current);
        }

        _schedule.Propose(chosen);
    }

    /// <summary>
    /// The smallest interval, in seconds, at which the fitted processing time stays within the
    /// headroom at the recent input rate: <c>a / (1 − h − b·r)</c>, where near capacity the
    /// headroom <c>h</c> shrinks to a quarter of the slack <c>1 − b·r</c>, so that an interval
    /// that keeps up is chosen while one exists.
    /// </summary>
    private double Stable()
    {
        var (fixedCost, perRecord) = Fit();
        var load = perRecord * Rate();
        if (load >= 1)
        {
            return _settings.Maximum.TotalSeconds;
        }

        var budget = 1 - load - Math.Min(_settings.Headroom, (1 - load) * SlackKept);
        return fixedCost <= 0 ? _settings.Minimum.TotalSeconds : fixedCost / budget;
    }

    /// <summary>
    /// Records per second over the last batches: their records over the time between their seals
    /// (over their lengths until there are enough batches). A batch is sealed at its time, or, held
    /// back by a full queue, when the batch <see cref="StreamingOptions.MaxQueuedBatches"/> before
    /// it started, and takes in every record that arrived until then: its length alone would
    /// overstate the rate while the engine is behind (and feed itself, as a longer interval holds
    /// the next seals back longer), the time between completions would understate it.
    /// </summary>
    private double Rate()
    {
        var batches = _batches.ToList();
        long Seal(int i) => Math.Max(batches[i].Time, i >= _queued ? batches[i - _queued].Start : 0);
        var last = batches.Count - 1;
        var first = last - RateWindow;
        if (first < _queued)
        {
            var recent = batches.TakeLast(RateWindow).ToList();
            var seconds = recent.Sum(b => b.Seconds);
            return seconds > 0 ? recent.Sum(b => b.Records) / seconds : 0;
        }

        var span = TimeSpan.FromTicks(Seal(last) - Seal(first)).TotalSeconds;
        return span > 0 ? batches.Skip(first + 1).Sum(b => b.Records) / span : 0;
    }

    /// <summary>
    /// Processing time as a fixed cost per batch plus a cost per record, by least squares over the
    /// recent batches; both kept non-negative. When the batches' sizes differ too little
    /// (<see cref="MinSpread"/>) to tell the two apart, the cost per record of the last fit that
    /// could is kept and only the fixed cost is refit; before any such fit the time is taken as
    /// all fixed cost, and the choice is then Das et al.'s fixed-point step, which changes the
    /// batch size so that the next fit can tell them apart.
    /// </summary>
    private (double Fixed, double PerRecord) Fit()
    {
        var n = _batches.Count;
        var meanRecords = _batches.Average(b => b.Records);
        var meanTime = _batches.Average(b => b.Processing);
        var spread = _batches.Sum(b => (b.Records - meanRecords) * (b.Records - meanRecords)) / n;
        if (n < 3 || meanRecords <= 0 || spread < MinSpread * MinSpread * meanRecords * meanRecords)
        {
            return (Math.Max(0, meanTime - (_perRecord * meanRecords)), _perRecord);
        }

        var slope = _batches.Sum(b => (b.Records - meanRecords) * (b.Processing - meanTime)) / n / spread;
        var intercept = meanTime - (slope * meanRecords);
        if (slope < 0)
        {
            slope = 0;
            intercept = meanTime;
        }
        else if (intercept < 0)
        {
            // Through the origin instead: all the time is per record.
            slope = _batches.Sum(b => b.Records * b.Processing) / _batches.Sum(b => b.Records * b.Records);
            intercept = 0;
        }

        _perRecord = slope;
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

    /// <summary>The allowed interval next below <paramref name="interval"/>, or it when none is.</summary>
    private TimeSpan Below(TimeSpan interval)
    {
        if (_allowed is null)
        {
            return TimeSpan.FromTicks(Math.Max(interval.Ticks - Grid, _settings.Minimum.Ticks));
        }

        var index = Array.BinarySearch(_allowed, interval.Ticks);
        return index > 0 ? TimeSpan.FromTicks(_allowed[index - 1]) : interval;
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
