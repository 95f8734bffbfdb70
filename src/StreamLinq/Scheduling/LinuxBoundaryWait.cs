using System.Runtime.InteropServices;

namespace StreamLinq.Scheduling;

/// <summary>
/// A <see cref="BoundaryWait"/> on the system clock under Linux: a periodic <c>timerfd</c> on the
/// boundaries (absolute, <c>CLOCK_REALTIME</c>, the clock of <see cref="TimeProvider.System"/>)
/// and an <c>eventfd</c> for wakes, in an <c>epoll</c> set. The timer is set once for a run of
/// boundaries one period apart and goes on by itself; arming and disarming make the set listen
/// to it or not, which neither wakes the waiting thread nor reprograms the kernel's timer (on a
/// virtual machine, setting a timer is an exit to the hypervisor, about 20 µs). The wait ends
/// within the kernel's timer slack (about 50 µs) of the boundary, in one wake.
/// </summary>
internal sealed class LinuxBoundaryWait : BoundaryWait
{
    private const int ClockRealtime = 0;
    private const int TimerAbsolute = 1;
    private const int NonBlocking = 0x800;
    private const int CloseOnExec = 0x80000;
    private const int EpollAdd = 1;
    private const int EpollModify = 3;
    private const uint EpollIn = 1;

    private readonly int _timer;
    private readonly int _wake;
    private readonly int _epoll;
    private readonly Lock _gate = new();
    private long _start = long.MinValue;
    private long _period;
    private bool _listening;
    private bool _disposed;
    private int _waiting;

    private LinuxBoundaryWait(int timer, int wake, int epoll)
    {
        _timer = timer;
        _wake = wake;
        _epoll = epoll;
    }

    /// <summary>How many times the kernel's timer was set: once per run of boundaries one period apart.</summary>
    internal int TimerSets { get; private set; }

    /// <summary>The wait, or null where the kernel refuses a <c>timerfd</c>, an <c>eventfd</c> or an <c>epoll</c> set (a sandbox).</summary>
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
            var epoll = wake < 0 ? -1 : EpollCreate(CloseOnExec);
            // The timer is in the set from the start, listening for nothing until armed: changing
            // what it listens for allocates and frees nothing in the kernel, adding and removing it would.
            var wakes = new EpollEvent { Events = EpollIn };
            if (epoll < 0 || EpollControl(epoll, EpollAdd, wake, in wakes) != 0 || EpollControl(epoll, EpollAdd, timer, default) != 0)
            {
                _ = Close(timer);
                _ = wake < 0 ? 0 : Close(wake);
                _ = epoll < 0 ? 0 : Close(epoll);
                return null;
            }

            return new LinuxBoundaryWait(timer, wake, epoll);
        }
        catch (Exception error) when (error is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    public override void Arm(long unixTicks, long periodTicks)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var now = TimeProvider.System.UnixTicks();

            // The timer goes on from the boundary it was set to, one period at a time: the next
            // of its expiries is this boundary when the period is the same, the boundary is on
            // its grid and no expiry of the grid comes before it. Otherwise (the first boundary,
            // a new interval, a clock that jumped) it is set again, which also clears what it
            // counted.
            var onGrid = _period > 0 && periodTicks == _period && unixTicks >= _start && (unixTicks - _start) % _period == 0 && unixTicks - now <= _period;
            if (!onGrid)
            {
                SetTimer(unixTicks, periodTicks);
            }

            if (!_listening)
            {
                if (onGrid)
                {
                    // Expiries counted while not listened to are past boundaries: dropped, or
                    // they would end the next wait at once.
                    _ = Read(_timer, out _, sizeof(ulong));
                }

                var expiries = new EpollEvent { Events = EpollIn };
                if (EpollControl(_epoll, EpollModify, _timer, in expiries) != 0)
                {
                    throw new InvalidOperationException($"epoll_ctl failed (errno {Marshal.GetLastPInvokeError()}).");
                }

                _listening = true;

                // A boundary already past when its expiry was dropped ends the wait by a wake. The
                // clock is read again after the drop: its expiry may have come since the first read.
                if (onGrid && TimeProvider.System.UnixTicks() >= unixTicks)
                {
                    Signal();
                }
            }
        }
    }

    public override void Disarm()
    {
        lock (_gate)
        {
            // The timer runs on (setting it again would cost what this spares); not listened to,
            // its expiries wake nobody.
            if (_disposed || !_listening)
            {
                return;
            }

            if (EpollControl(_epoll, EpollModify, _timer, default) != 0)
            {
                throw new InvalidOperationException($"epoll_ctl failed (errno {Marshal.GetLastPInvokeError()}).");
            }

            _listening = false;
        }
    }

    public override void Wake()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                Signal();
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
            // Returns on a signal too (EINTR): the caller checks what it waits for. Both
            // descriptors are non-blocking and read whichever is ready: a read of one that is not
            // costs less than telling them apart in epoll's per-architecture event layout.
            Span<EpollEvent> ready = stackalloc EpollEvent[2];
            if (EpollWait(_epoll, ref MemoryMarshal.GetReference(ready), ready.Length, -1) > 0)
            {
                _ = Read(_timer, out _, sizeof(ulong));
                _ = Read(_wake, out _, sizeof(ulong));
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

    /// <summary>Closes the descriptors once no thread waits on them: a number closed under a wait could be reused by another file.</summary>
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
                Signal();
            }
        }
    }

    private void Signal()
    {
        ulong one = 1;
        _ = Write(_wake, in one, sizeof(ulong));
    }

    private void CloseDescriptors()
    {
        _ = Close(_epoll);
        _ = Close(_timer);
        _ = Close(_wake);
    }

    private void SetTimer(long unixTicks, long periodTicks)
    {
        // A time before the epoch is never a batch's boundary; a period under a tick is none.
        var setting = new TimerSpec { Interval = Span(Math.Max(periodTicks, 0)), Value = Span(unixTicks) };
        if (TimerFdSetTime(_timer, TimerAbsolute, in setting, IntPtr.Zero) != 0)
        {
            throw new InvalidOperationException($"timerfd_settime failed (errno {Marshal.GetLastPInvokeError()}).");
        }

        _start = unixTicks;
        _period = periodTicks;
        TimerSets++;

        static TimeSpec Span(long ticks) => new() { Seconds = (nint)(ticks / TimeSpan.TicksPerSecond), Nanoseconds = (nint)(ticks % TimeSpan.TicksPerSecond * 100) };
    }

    [DllImport("libc", EntryPoint = "timerfd_create", SetLastError = true)]
    private static extern int TimerFdCreate(int clock, int flags);

    [DllImport("libc", EntryPoint = "timerfd_settime", SetLastError = true)]
    private static extern int TimerFdSetTime(int fd, int flags, in TimerSpec value, IntPtr old);

    [DllImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    private static extern int EventFd(uint initial, int flags);

    [DllImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    private static extern int EpollCreate(int flags);

    [DllImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static extern int EpollControl(int epoll, int operation, int fd, in EpollEvent value);

    [DllImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static extern int EpollWait(int epoll, ref EpollEvent events, int count, int timeout);

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

    /// <summary><c>struct itimerspec</c>: the period, then the first expiry.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct TimerSpec
    {
        public TimeSpec Interval;
        public TimeSpec Value;
    }

    /// <summary>
    /// <c>struct epoll_event</c>: the event mask first, then 8 bytes of data that this wait never
    /// reads, at offset 4 (x86-64, packed) or 8 (elsewhere); 16 bytes hold either layout.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct EpollEvent
    {
        public uint Events;
        public uint Padding;
        public ulong Data;
    }
}
