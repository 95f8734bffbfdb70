using Microsoft.Extensions.Time.Testing;

namespace StreamLinq.Testing;

/// <summary>
/// The harness's one clock, a <see cref="FakeTimeProvider"/> set in <see cref="StreamingOptions.TimeProvider"/>:
/// it starts at the Unix epoch and moves only when the harness runs a batch (or a retry's delay),
/// so batch <c>i</c> runs at <c>i × interval</c> and every time-out, back-off and rate limit moves
/// with it; no thread sleeps.
/// </summary>
internal sealed class VirtualClock
{
    public FakeTimeProvider Provider { get; } = new(DateTimeOffset.UnixEpoch);

    public long NowTicks => Provider.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;

    public StreamingOptions Apply(StreamingOptions options) => options with { TimeProvider = Provider };

    public bool IsUsedBy(StreamingOptions options) => ReferenceEquals(options.TimeProvider, Provider);

    public void AdvanceTo(long ticks)
    {
        var now = NowTicks;
        if (ticks > now)
        {
            Provider.Advance(TimeSpan.FromTicks(ticks - now));
        }
    }
}
