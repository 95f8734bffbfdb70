using System.Runtime.InteropServices;

namespace StreamLinq.Scheduling;

/// <summary>
/// A <see cref="BoundaryWait"/> on the system clock under Linux: a <c>timerfd</c> set to the
/// boundary (absolute, <c>CLOCK_REALTIME</c>, the clock of <see cref="TimeProvider.System"/>) and
/// an <c>eventfd</c> for wakes, polled together. Setting or clearing the time is one system call
/// that does not wake the waiting thread, and the wait ends within the kernel's timer slack
/// (about 50 µs) of the boundary, in one wake.
/// </summary>
internal sealed class LinuxBoundaryWait : BoundaryWait
{
    private const int ClockRealtime = 0;
    private const int TimerAbsolute = 1;
    private const int NonBlocking = 0x800;
    private const int CloseOnExec = 0x80000;
    private const short PollIn = 1;

    private readonly int _timer;
    private readonly int _wake;
    private readonly PollFd[] _polled;
    private readonly Lock _gate = new();
    private long _armed = long.MinValue;
    private bool _disposed;
    private int _waiting;

    private LinuxBoundaryWait(int timer, int wake)
    {
        _timer = timer;
        _wake = wake;
        _polled = [new PollFd { Fd = timer, Events = PollIn }, new PollFd { Fd = wake, Events = PollIn }];
    }

    /// <summary>The wait, or null where the kernel refuses a <c>timerfd</c> or an <c>eventfd</c> (a sandbox).</summary>
    public static LinuxBoundaryWait? TryCreate()
    {
        try
        {
            var timer = TimerFdCreate(ClockRealtime, NonBlocking | CloseOnExec);
            if (timer < 0)
            {
                return null;
            }

            var wake = EventFd(0, NonBlocking | CloseOnExec);
            if (wake < 0)
            {
                _ = Close(timer);
                return null;
            }

            return new LinuxBoundaryWait(timer, wake);
        }
        catch (Exception error) when (error is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    public override void Arm(long unixTicks) => Set(unixTicks);

    public override void Disarm() => Set(long.MinValue);

    public override void Wake()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                ulong one = 1;
                _ = Write(_wake, in one, sizeof(ulong));
            }
        }
    }

    public override void Wait()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _waiting++;
        }

        try
        {
            // Returns on a signal too (EINTR): the caller checks what it waits for. Only what is
            // ready is read (each read is a system call); both are non-blocking regardless.
            if (Poll(_polled, (nuint)_polled.Length, -1) > 0)
            {
                if ((_polled[0].Revents & PollIn) != 0 && Read(_timer, out _, sizeof(ulong)) == sizeof(ulong))
                {
                    lock (_gate)
                    {
                        // Spent: setting the same time again sets the timer again.
                        _armed = long.MinValue;
                    }
                }

                if ((_polled[1].Revents & PollIn) != 0)
                {
                    _ = Read(_wake, out _, sizeof(ulong));
                }
            }
        }
        finally
        {
            lock (_gate)
            {
                if (--_waiting == 0 && _disposed)
                {
                    CloseDescriptors();
                }
            }
        }
    }

    /// <summary>Closes the descriptors once no thread polls them: a number closed under a poll could be reused by another file.</summary>
    public override void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_waiting == 0)
            {
                CloseDescriptors();
            }
            else
            {
                ulong one = 1;
                _ = Write(_wake, in one, sizeof(ulong));
            }
        }
    }

    private void CloseDescriptors()
    {
        _ = Close(_timer);
        _ = Close(_wake);
    }

    private void Set(long unixTicks)
    {
        lock (_gate)
        {
            // The scheduler sets the same boundary again and again (at each hand-over and before
            // each wait): only a change, or a timer already spent, costs the system call.
            if (_disposed || unixTicks == _armed)
            {
                return;
            }

            _armed = unixTicks;

            // A zero time clears the timer; a time before the epoch is never a batch's boundary.
            var due = unixTicks == long.MinValue
                ? default
                : new TimeSpec { Seconds = (nint)(unixTicks / TimeSpan.TicksPerSecond), Nanoseconds = (nint)(unixTicks % TimeSpan.TicksPerSecond * 100) };
            var setting = new TimerSpec { Value = due };
            if (TimerFdSetTime(_timer, unixTicks == long.MinValue ? 0 : TimerAbsolute, in setting, IntPtr.Zero) != 0)
            {
                throw new InvalidOperationException($"timerfd_settime failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
    }

    [DllImport("libc", EntryPoint = "timerfd_create", SetLastError = true)]
    private static extern int TimerFdCreate(int clock, int flags);

    [DllImport("libc", EntryPoint = "timerfd_settime", SetLastError = true)]
    private static extern int TimerFdSetTime(int fd, int flags, in TimerSpec value, IntPtr old);

    [DllImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    private static extern int EventFd(uint initial, int flags);

    [DllImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static extern int Poll([In, Out] PollFd[] fds, nuint count, int timeout);

    [DllImport("libc", EntryPoint = "read", SetLastError = true)]
    private static extern nint Read(int fd, out ulong value, nint count);

    [DllImport("libc", EntryPoint = "write", SetLastError = true)]
    private static extern nint Write(int fd, in ulong value, nint count);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);

    /// <summary>POSIX <c>struct timespec</c> on a 64-bit or 32-bit Linux: two machine words.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public nint Seconds;
        public nint Nanoseconds;
    }

    /// <summary><c>struct itimerspec</c>: no repeat, one expiry.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct TimerSpec
    {
        public TimeSpec Interval;
        public TimeSpec Value;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }
}
