namespace StreamLinq;

/// <summary>
/// A clock that moves only when told to: tests advance it to cut batches at exact times.
/// Starts at tick 0 (the Unix epoch), so the first batch time equals the batch interval.
/// </summary>
public sealed class ManualClock : StreamClock
{
    private readonly Lock _gate = new();
    private readonly List<(long Ticks, TaskCompletionSource Done)> _waiters = [];
    private long _now;

    /// <summary>Creates a clock reading <paramref name="startTicks"/>.</summary>
    /// <param name="startTicks">The initial time, in 100-nanosecond ticks.</param>
    public ManualClock(long startTicks = 0) => _now = startTicks;

    /// <inheritdoc />
    public override long NowTicks => Volatile.Read(ref _now);

    /// <summary>Moves the clock forward, releasing every wait whose time has come.</summary>
    /// <param name="span">How far to move; not negative.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="span"/> is negative.</exception>
    public void Advance(TimeSpan span)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(span, TimeSpan.Zero);
        List<TaskCompletionSource> due = [];
        lock (_gate)
        {
            _now += span.Ticks;
            _waiters.RemoveAll(w =>
            {
                if (w.Ticks > _now)
                {
                    return false;
                }

                due.Add(w.Done);
                return true;
            });
        }

        foreach (var done in due)
        {
            done.TrySetResult();
        }
    }

    /// <inheritdoc />
    public override Task WaitUntilAsync(long ticks, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        lock (_gate)
        {
            if (ticks <= _now)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((ticks, done));
            return done.Task.WaitAsync(cancellationToken);
        }
    }
}
