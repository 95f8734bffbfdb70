namespace StreamLinq.Scheduling;

/// <summary>
/// Batch times on a <see cref="TimeProvider"/>: the current time in ticks since the Unix epoch
/// (the epoch of <see cref="BatchTime"/>), and a wait for a batch boundary.
/// </summary>
internal static class BatchTimer
{
    /// <summary>The provider's current UTC time, in 100-nanosecond ticks since the Unix epoch.</summary>
    public static long UnixTicks(this TimeProvider time) => time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;

    /// <summary>
    /// Completes when <paramref name="time"/> reaches <paramref name="ticks"/>. A cancelled token
    /// wins over a time already reached, so that a generator that is behind still sees a stop.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task WaitUntilAsync(TimeProvider time, long ticks, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // A timer may wake a little early; loop until the time has come.
        long now;
        while ((now = time.UnixTicks()) < ticks)
        {
            // The continuation never runs inline in whoever fired the timer (a test advancing a
            // fake clock, which must not run the generator on its own thread).
            var due = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (var timer = time.CreateTimer(static state => ((TaskCompletionSource)state!).TrySetResult(), due, TimeSpan.FromTicks(ticks - now), Timeout.InfiniteTimeSpan))
            {
                // A timer counts from when it is created: if the clock moved since it was read (a
                // fake clock advanced meanwhile), it would fire late, so it is made again.
                if (time.UnixTicks() != now)
                {
                    continue;
                }

                await due.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
    }
}
