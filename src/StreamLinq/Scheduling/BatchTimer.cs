namespace StreamLinq.Scheduling;

/// <summary>
/// Batch times on a <see cref="TimeProvider"/>: the current time in ticks since the Unix epoch
/// (the epoch of <see cref="BatchTime"/>), and the generator's wait for a batch boundary.
/// </summary>
internal static class BatchTimer
{
    /// <summary>
    /// Below this much time left, the system clock's wait yields the thread instead of sleeping:
    /// a sleep lasts at least a millisecond, which would start the batch up to that late.
    /// </summary>
    private static readonly long YieldBelow = TimeSpan.FromMicroseconds(100).Ticks;

    /// <summary>The provider's current UTC time, in 100-nanosecond ticks since the Unix epoch.</summary>
    public static long UnixTicks(this TimeProvider time) => time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;

    /// <summary>
    /// Blocks the calling thread (the generator's own) until <paramref name="time"/> reaches
    /// <paramref name="ticks"/>. A cancelled token wins over a time already reached, so that a
    /// generator that is behind still sees a stop.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static void WaitUntil(TimeProvider time, long ticks, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (time == TimeProvider.System)
        {
            SleepUntil(ticks, cancellationToken);
        }
        else
        {
            WaitForTimer(time, ticks, cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// The system clock: the thread sleeps whole milliseconds (rounded down, so it wakes just before
    /// the boundary), then at most one more, then yields for the last fraction. One kernel wake per
    /// batch and no thread-pool hop; a stop wakes it at once through the token's wait handle.
    /// </summary>
    private static void SleepUntil(long ticks, CancellationToken cancellationToken)
    {
        var stop = cancellationToken.WaitHandle;
        long remaining;
        while ((remaining = ticks - TimeProvider.System.UnixTicks()) > 0 && !cancellationToken.IsCancellationRequested)
        {
            if (remaining > YieldBelow)
            {
                var milliseconds = Math.Clamp(remaining / TimeSpan.TicksPerMillisecond, 1, int.MaxValue - 1);
                stop.WaitOne((int)milliseconds);
            }
            else
            {
                Thread.Yield();
            }
        }
    }

    /// <summary>Any other provider (a test's fake clock): a timer of the provider, waited for on this thread.</summary>
    private static void WaitForTimer(TimeProvider time, long ticks, CancellationToken cancellationToken)
    {
        long now;
        while ((now = time.UnixTicks()) < ticks)
        {
            var due = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (time.CreateTimer(static state => ((TaskCompletionSource)state!).TrySetResult(), due, TimeSpan.FromTicks(ticks - now), Timeout.InfiniteTimeSpan))
            {
                // A timer counts from when it is made: if the clock moved since it was read (a fake
                // clock advanced meanwhile), it would fire late, so it is made again.
                if (time.UnixTicks() != now)
                {
                    continue;
                }

                due.Task.Wait(cancellationToken);
            }
        }
    }
}
