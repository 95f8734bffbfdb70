namespace StreamLinq;

/// <summary>
/// The clock that cuts batches. Production uses <see cref="System"/>; tests use a
/// <see cref="ManualClock"/> and advance it by hand, so that every batch boundary is deterministic.
/// </summary>
public abstract class StreamClock
{
    /// <summary>The system clock (UTC wall time).</summary>
    public static StreamClock System { get; } = new SystemClock();

    /// <summary>The current time, in 100-nanosecond ticks since the Unix epoch (1970-01-01 UTC).</summary>
    public abstract long NowTicks { get; }

    /// <summary>Completes when the clock reaches <paramref name="ticks"/>.</summary>
    /// <param name="ticks">The time to wait for, in 100-nanosecond ticks since the Unix epoch.</param>
    /// <param name="cancellationToken">
    /// Cancels the wait. A cancelled token wins over a time already reached: the wait then
    /// throws <see cref="OperationCanceledException"/> even for a past deadline, so that a caller
    /// that is behind (catching up on missed batch times) still sees a stop request.
    /// </param>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public abstract Task WaitUntilAsync(long ticks, CancellationToken cancellationToken);

    private sealed class SystemClock : StreamClock
    {
        public override long NowTicks => DateTimeOffset.UtcNow.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;

        public override async Task WaitUntilAsync(long ticks, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // Task.Delay may wake a little early on some timers; loop until the time has come.
            long remaining;
            while ((remaining = ticks - NowTicks) > 0)
            {
                await Task.Delay(TimeSpan.FromTicks(Math.Max(remaining, TimeSpan.TicksPerMillisecond)), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
