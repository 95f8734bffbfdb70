namespace StreamLinq;

/// <summary>The shape of event-time windows: tumbling, sliding, or sessions separated by a gap.</summary>
public sealed record EventTimeWindows
{
    private EventTimeWindows(TimeSpan size, TimeSpan slide, TimeSpan gap)
    {
        Size = size;
        Slide = slide;
        Gap = gap;
    }

    /// <summary>The length of a tumbling or sliding window; zero for sessions.</summary>
    public TimeSpan Size { get; }

    /// <summary>How far apart sliding windows start; equal to <see cref="Size"/> for tumbling windows; zero for sessions.</summary>
    public TimeSpan Slide { get; }

    /// <summary>For sessions: the inactivity that ends a session; zero otherwise.</summary>
    public TimeSpan Gap { get; }

    /// <summary>Whether these are session windows.</summary>
    public bool IsSession => Gap > TimeSpan.Zero;

    /// <summary>Back-to-back windows of <paramref name="size"/>, aligned to the Unix epoch.</summary>
    /// <param name="size">The window length; positive.</param>
    /// <returns>The window shape.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is not positive.</exception>
    public static EventTimeWindows Tumbling(TimeSpan size) => Sliding(size, size);

    /// <summary>Windows of <paramref name="size"/> starting every <paramref name="slide"/>, aligned to the Unix epoch.</summary>
    /// <param name="size">The window length; positive.</param>
    /// <param name="slide">The distance between window starts; positive, at most <paramref name="size"/>.</param>
    /// <returns>The window shape.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A duration is not positive, or the slide exceeds the size.</exception>
    public static EventTimeWindows Sliding(TimeSpan size, TimeSpan slide)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(size, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(slide, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(slide, size);
        return new EventTimeWindows(size, slide, TimeSpan.Zero);
    }

    /// <summary>
    /// Per-key sessions: records less than <paramref name="gap"/> apart belong to one session,
    /// which spans from its first record's time to its last record's time plus the gap.
    /// </summary>
    /// <param name="gap">The inactivity that ends a session; positive.</param>
    /// <returns>The window shape.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="gap"/> is not positive.</exception>
    public static EventTimeWindows Session(TimeSpan gap)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(gap, TimeSpan.Zero);
        return new EventTimeWindows(TimeSpan.Zero, TimeSpan.Zero, gap);
    }

    /// <inheritdoc />
    public override string ToString() =>
        IsSession ? $"session gap {Gap}" : Size == Slide ? $"tumbling {Size}" : $"sliding {Size} every {Slide}";
}

/// <summary>When an event-time window emits its result.</summary>
public enum WindowOutputMode
{
    /// <summary>Once per window, when the watermark passes its end plus the allowed lateness: the final result only.</summary>
    FinalOnly,

    /// <summary>
    /// When the watermark passes the window's end, then again in each batch whose late records
    /// change it, until the watermark passes its end plus the allowed lateness. A window that did
    /// not change since its last emission closes without another one, so its last emission may
    /// not be marked final.
    /// </summary>
    Updates,
}

/// <summary>One emitted result of an event-time window: its key, bounds and records.</summary>
/// <typeparam name="TKey">The type of the key.</typeparam>
/// <typeparam name="T">The type of the records.</typeparam>
/// <param name="Key">The key the window belongs to.</param>
/// <param name="Start">The window's start, inclusive.</param>
/// <param name="End">The window's end, exclusive.</param>
/// <param name="Records">
/// The records admitted into the window so far, in arrival order; except that a session which
/// merged sessions already open holds their records session by session (the earliest-starting
/// first, each in its own order), then the records of the batch that joined it, in batch order.
/// Compare a session's records as a set when sessions may merge.
/// </param>
/// <param name="IsFinal">Whether this is the window's last emission: the watermark passed its end plus the allowed lateness.</param>
public sealed record EventTimeWindow<TKey, T>(TKey Key, DateTimeOffset Start, DateTimeOffset End, IReadOnlyList<T> Records, bool IsFinal);
