namespace StreamLinq.Scheduling;

/// <summary>
/// One thread's wait for a batch boundary, whose time another thread can set or clear without
/// waking it: the scheduler's two threads hand the boundary to each other around every batch, and
/// only the one that holds it should wake there (see <see cref="BatchScheduler"/>).
/// </summary>
/// <remarks>
/// <see cref="Wait"/> may return early (a wake, a signal, a time already past): the caller checks
/// what it waits for and waits again. A <see cref="Wake"/> before the wait is not lost.
/// </remarks>
internal abstract class BoundaryWait : IDisposable
{
    /// <summary>
    /// A periodic <c>timerfd</c> on Linux with the system clock (a boundary costs one wake, to
    /// within the kernel's timer slack, and no setting of the timer); a timer of the provider
    /// elsewhere, and for any other provider.
    /// </summary>
    public static BoundaryWait Create(TimeProvider time) =>
        time == TimeProvider.System && OperatingSystem.IsLinux() && LinuxBoundaryWait.TryCreate() is { } linux
            ? linux
            : new ProviderBoundaryWait(time);

    /// <summary>
    /// Ends the wait when the clock reaches <paramref name="unixTicks"/>, instead of any time set
    /// before. <paramref name="periodTicks"/> is how far apart the boundaries that follow are
    /// likely to be: a wait may keep its timer running from one to the next (a boundary off that
    /// period only costs setting the timer again).
    /// </summary>
    public abstract void Arm(long unixTicks, long periodTicks);

    /// <summary>Clears the time set: only a <see cref="Wake"/> ends the wait.</summary>
    public abstract void Disarm();

    /// <summary>Ends the wait in progress, or the next one.</summary>
    public abstract void Wake();

    /// <summary>Blocks the calling thread until the time set, a wake, or earlier.</summary>
    public abstract void Wait();

    public abstract void Dispose();
}
