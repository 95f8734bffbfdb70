namespace StreamLinq;

/// <summary>
/// Adaptive batching (<see cref="StreamingOptions.AdaptiveInterval"/>): the bounds between which
/// the engine chooses the batch interval at run time, and the headroom it keeps.
/// </summary>
/// <remarks>
/// <para>After every completed batch the engine fits processing time against batch size
/// (<c>p = a + b·n</c>, least squares over the last batches: a fixed cost per batch and a cost
/// per record), estimates the input rate <c>r</c> from the last batches, and chooses the smallest
/// interval <c>x</c> with <c>a + b·r·x ≤ (1 − Headroom)·x</c>: the shortest batches, hence the
/// least end-to-end latency, that processing still keeps up with (Das et al., "Adaptive Stream
/// Processing using Dynamic Batch Sizing", SoCC 2014). When no interval is stable (<c>b·r</c>
/// at or above <c>1 − Headroom</c>) it chooses <see cref="Maximum"/>. A choice moves the interval
/// by at most a factor of two per batch and applies at the next batch boundary, so a load step
/// is followed within a few batches.</para>
/// <para>With windows, only intervals that divide every window's length and slide are chosen;
/// without, intervals are whole multiples of 10 ms. With <see cref="StreamingOptions.BackPressure"/>
/// on, a batch during which receivers held producers back (the input wanted more than it was let
/// in) never shortens the interval and lengthens it by half: longer batches amortise the fixed
/// cost, the rate controller then lets more in, instead of the two controllers chasing each
/// other down to the shortest interval.</para>
/// <para>Per batch, no state is checkpointed beyond the interval in force, which a restart
/// resumes with; the fit starts afresh.</para>
/// </remarks>
public sealed record AdaptiveBatchInterval
{
    /// <summary>Bounds for adaptive batching.</summary>
    /// <param name="minimum">The shortest interval to choose; at least <see cref="StreamingContext.MinBatchInterval"/>.</param>
    /// <param name="maximum">The longest interval to choose; at most <see cref="StreamingContext.MaxBatchInterval"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A bound is outside the allowed range, or <paramref name="minimum"/> is above <paramref name="maximum"/>.</exception>
    public AdaptiveBatchInterval(TimeSpan minimum, TimeSpan maximum)
    {
        if (minimum < StreamingContext.MinBatchInterval || maximum > StreamingContext.MaxBatchInterval || minimum > maximum)
        {
            throw new ArgumentOutOfRangeException(
                minimum > maximum || maximum > StreamingContext.MaxBatchInterval ? nameof(maximum) : nameof(minimum),
                $"Adaptive batching needs {StreamingContext.MinBatchInterval} <= minimum <= maximum <= {StreamingContext.MaxBatchInterval}; got minimum {minimum}, maximum {maximum}.");
        }

        Minimum = minimum;
        Maximum = maximum;
    }

    /// <summary>The shortest interval the engine may choose.</summary>
    public TimeSpan Minimum { get; }

    /// <summary>The longest interval the engine may choose.</summary>
    public TimeSpan Maximum { get; }

    /// <summary>
    /// The share of each interval left free as a margin against variation: processing is meant
    /// to take at most <c>1 − Headroom</c> of the interval. 0.2 by default; between 0 and 0.9.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 0 or above 0.9.</exception>
    public double Headroom
    {
        get;
        init => field = value is >= 0 and <= 0.9 ? value : throw new ArgumentOutOfRangeException(nameof(Headroom), value, "The headroom must be between 0 and 0.9.");
    } = 0.2;
}
