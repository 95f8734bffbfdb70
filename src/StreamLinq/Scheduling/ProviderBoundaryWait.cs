namespace StreamLinq.Scheduling;

/// <summary>
/// A <see cref="BoundaryWait"/> on a timer of any <see cref="TimeProvider"/> (a test's fake clock,
/// or the system clock where there is no <c>timerfd</c>): the timer's callback ends the wait.
/// </summary>
internal sealed class ProviderBoundaryWait : BoundaryWait
{
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private readonly object _gate = new();
    private readonly int _recheck;
    private long _due = long.MaxValue;
    private bool _woken;

    public ProviderBoundaryWait(TimeProvider time)
    {
        _time = time;

        // Any provider but the system's is user code (a test's fake clock): a callback it loses or
        // delays, when it is advanced while a timer is being set on another thread, must not stall
        // the scheduler, so the wait also looks at its clock every few real milliseconds.
        _recheck = time == TimeProvider.System ? Timeout.Infinite : 5;
        _timer = time.CreateTimer(static wait => ((ProviderBoundaryWait)wait!).Fire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <remarks>A timer per boundary: the period is not used (a fake clock's periodic timer would fire for every boundary it is advanced past).</remarks>
    public override void Arm(long unixTicks, long periodTicks)
    {
        lock (_gate)
        {
            // Set again and again for the same boundary (see BatchScheduler): the timer set for it
            // still stands, or has fired, and the wait checks the clock itself.
            if (_due == unixTicks)
            {
                return;
            }

            _due = unixTicks;
        }

        long now;
        while ((now = _time.UnixTicks()) < unixTicks)
        {
            _timer.Change(TimeSpan.FromTicks(unixTicks - now), Timeout.InfiniteTimeSpan);

            // A timer counts from when it is set: if the clock moved since it was read (a fake
            // clock advanced meanwhile), it would fire late, so it is set again.
            if (_time.UnixTicks() == now)
            {
                return;
            }
        }

        Pulse();
    }

    public override void Disarm()
    {
        lock (_gate)
        {
            _due = long.MaxValue;
        }

        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public override void Wake()
    {
        lock (_gate)
        {
            _woken = true;
            Monitor.PulseAll(_gate);
        }
    }

    public override void Wait()
    {
        lock (_gate)
        {
            while (!_woken && _time.UnixTicks() < _due)
            {
                Monitor.Wait(_gate, _recheck);
            }

            _woken = false;
        }
    }

    public override void Dispose() => _timer.Dispose();

    /// <summary>
    /// The system's timers count whole milliseconds, rounded down: one that fires before the
    /// time set is set again for what is left, rounded up.
    /// </summary>
    private void Fire()
    {
        long due;
        lock (_gate)
        {
            due = _due;
        }

        var left = due - _time.UnixTicks();
        if (due != long.MaxValue && left > 0)
        {
            _timer.Change(TimeSpan.FromMilliseconds(Math.Ceiling((double)left / TimeSpan.TicksPerMillisecond)), Timeout.InfiniteTimeSpan);
            return;
        }

        Pulse();
    }

    private void Pulse()
    {
        lock (_gate)
        {
            Monitor.PulseAll(_gate);
        }
    }
}
