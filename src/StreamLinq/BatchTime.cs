namespace StreamLinq;

/// <summary>
/// The time that identifies a batch: the end of the batch interval whose records it holds.
/// Batch times are whole multiples of the batch interval, counted from the Unix epoch
/// (1970-01-01 UTC), in the UTC time of <see cref="StreamingOptions.TimeProvider"/>.
/// </summary>
/// <param name="Ticks">The batch time in 100-nanosecond ticks since the Unix epoch.</param>
public readonly record struct BatchTime(long Ticks) : IComparable<BatchTime>
{
    /// <summary>The batch time as a UTC <see cref="DateTimeOffset"/>.</summary>
    public DateTimeOffset ToDateTimeOffset() => DateTimeOffset.UnixEpoch.AddTicks(Ticks);

    /// <summary>The batch time in whole milliseconds since the Unix epoch, as Spark names its batches.</summary>
    public long Milliseconds => Ticks / TimeSpan.TicksPerMillisecond;

    /// <summary>The batch time <paramref name="span"/> later.</summary>
    public static BatchTime operator +(BatchTime time, TimeSpan span) => new(time.Ticks + span.Ticks);

    /// <summary>The batch time <paramref name="span"/> earlier.</summary>
    public static BatchTime operator -(BatchTime time, TimeSpan span) => new(time.Ticks - span.Ticks);

    /// <summary>The time between two batch times.</summary>
    public static TimeSpan operator -(BatchTime later, BatchTime earlier) => new(later.Ticks - earlier.Ticks);

    /// <summary>Whether <paramref name="left"/> is earlier than <paramref name="right"/>.</summary>
    public static bool operator <(BatchTime left, BatchTime right) => left.Ticks < right.Ticks;

    /// <summary>Whether <paramref name="left"/> is later than <paramref name="right"/>.</summary>
    public static bool operator >(BatchTime left, BatchTime right) => left.Ticks > right.Ticks;

    /// <summary>Whether <paramref name="left"/> is earlier than or equal to <paramref name="right"/>.</summary>
    public static bool operator <=(BatchTime left, BatchTime right) => left.Ticks <= right.Ticks;

    /// <summary>Whether <paramref name="left"/> is later than or equal to <paramref name="right"/>.</summary>
    public static bool operator >=(BatchTime left, BatchTime right) => left.Ticks >= right.Ticks;

    /// <inheritdoc />
    public int CompareTo(BatchTime other) => Ticks.CompareTo(other.Ticks);

    /// <summary>
    /// The batch time as a person reads it: ISO 8601 in UTC, with the fraction of a second only
    /// when there is one, e.g. <c>2026-12-03T04:23:18Z</c> or <c>1970-01-01T00:00:01.5Z</c>.
    /// <see cref="Milliseconds"/> is the form to use as an identifier (file names, versions).
    /// </summary>
    public override string ToString() =>
        ToDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
