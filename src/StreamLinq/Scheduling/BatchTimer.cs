using System.Runtime.InteropServices;

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

    /// <summary>Whether the thread can sleep less than a millisecond (<c>nanosleep</c>, Linux).</summary>
    private static readonly bool FineSleep = OperatingSystem.IsLinux();

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
    /// the boundary), a stop waking it at once through the token's wait handle; then, on Linux, it
    /// sleeps the fraction of a millisecond left with <c>nanosleep</c>, so that the batch starts
    /// within the kernel's timer slack (about 50 µs) of its boundary. A millisecond wait alone
    /// lands anywhere in the next millisecond (its rounding carries over from batch to batch, so
    /// the lag saws between 0 and 1 ms); elsewhere the thread yields for the last 0.1 ms.
    /// </summary>
    private static void SleepUntil(long ticks, CancellationToken cancellationToken)
    {
        var stop = cancellationToken.WaitHandle;
        long remaining;
        while ((remaining = ticks - TimeProvider.System.UnixTicks()) > 0 && !cancellationToken.IsCancellationRequested)
        {
            if (remaining >= TimeSpan.TicksPerMillisecond)
            {
                stop.WaitOne((int)Math.Min(remaining / TimeSpan.TicksPerMillisecond, int.MaxValue - 1));
            }
            else if (FineSleep)
            {
                Nanosleep(new TimeSpec { Seconds = 0, Nanoseconds = (nint)(remaining * 100) }, IntPtr.Zero);
            }
            else if (remaining > YieldBelow)
            {
                stop.WaitOne(1);
            }
            else
            {
                Thread.Yield();
            }
        }
    }

    [DllImport("libc", EntryPoint = "nanosleep")]
    private static extern int Nanosleep(in TimeSpec request, IntPtr remaining);

    /// <summary>POSIX <c>struct timespec</c> on a 64-bit or 32-bit Linux: two machine words.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public nint Seconds;
        public nint Nanoseconds;
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
