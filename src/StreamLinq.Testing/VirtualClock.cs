namespace StreamLinq.Testing;

/// <summary>
/// The harness's one clock: starts at the Unix epoch and moves only when a batch is run, so that
/// batch <c>i</c> runs at <c>i × interval</c> and no thread sleeps.
/// </summary>
internal sealed class VirtualClock
{
    private readonly ManualClock _clock = new();

    public long NowTicks => _clock.NowTicks;

    public StreamingOptions Apply(StreamingOptions options) => options with { Clock = _clock };

    public bool IsUsedBy(StreamingOptions options) => ReferenceEquals(options.Clock, _clock);

    public void AdvanceTo(long ticks)
    {
        if (ticks > _clock.NowTicks)
        {
            _clock.Advance(TimeSpan.FromTicks(ticks - _clock.NowTicks));
        }
    }
}
