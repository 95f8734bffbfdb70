namespace StreamLinq.Execution;

/// <summary>
/// A processing-time window: at every batch time that is a multiple of <see cref="Slide"/> it
/// covers the batches in <c>(T - Length, T]</c>.
/// </summary>
internal readonly record struct WindowSpec(TimeSpan Length, TimeSpan Slide)
{
    /// <summary>Whether the window produces a batch at <paramref name="time"/>.</summary>
    public bool IsSlideTime(BatchTime time) => time.Ticks % Slide.Ticks == 0;

    /// <summary>The latest batch time that has left the window at <paramref name="time"/>.</summary>
    public long LeftBy(BatchTime time) => time.Ticks - Length.Ticks;

    public override string ToString() => $"length {Length}, slide {Slide}";
}
