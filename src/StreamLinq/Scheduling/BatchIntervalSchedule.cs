using StreamLinq.Checkpointing;
using StreamLinq.Execution;

namespace StreamLinq.Scheduling;

/// <summary>
/// The batch interval in force and the change waiting for the next batch boundary. The generator
/// asks it for each next batch time (<see cref="After"/>); a change asked for meanwhile
/// (<see cref="StreamingContext.SetBatchIntervalAsync"/>, or adaptive batching) applies there.
/// </summary>
/// <remarks>
/// Batch times stay multiples of the interval in force: after the boundary <c>B</c> where an
/// interval <c>I</c> takes over, the next batch time is the first multiple of <c>I</c> after
/// <c>B</c> (so that one batch may be shorter than <c>I</c>). A window whose length and slide are
/// multiples of every interval that was in force then sees every slide time and window start as
/// a batch boundary, before and after the change; an interval that does not divide a window's
/// length and slide is refused.
/// </remarks>
internal sealed class BatchIntervalSchedule(TimeSpan configured)
{
    private readonly Lock _gate = new();
    private long _current = configured.Ticks;
    private long _pending;
    private List<TaskCompletionSource<BatchTime>> _waiting = [];
    private (string Name, WindowSpec Window)[] _windows = [];
    private bool _stopped;

    /// <summary>The interval the context was created with.</summary>
    public TimeSpan Configured { get; } = configured;

    /// <summary>The interval of the batches being cut now.</summary>
    public TimeSpan Current => TimeSpan.FromTicks(Volatile.Read(ref _current));

    /// <summary>The interval the next boundary will switch to, or the current one when no change waits.</summary>
    public TimeSpan Upcoming
    {
        get
        {
            lock (_gate)
            {
                return TimeSpan.FromTicks(_pending != 0 ? _pending : _current);
            }
        }
    }

    /// <summary>Takes the plan's windows, which every interval must fit from now on.</summary>
    public void Attach(IEnumerable<PlanNode> nodes) =>
        _windows = [.. nodes.OfType<IWindowedOperator>().Select(w => (((PlanNode)w).Description, w.Window)).Distinct()];

    /// <summary>
    /// The interval to resume with after a restart: the one in force when the checkpoint was
    /// written, unless the context was created with another interval than the run that wrote it
    /// (a deliberate change, which wins) or a window of the query no longer fits it.
    /// </summary>
    /// <returns>A warning when the recorded interval could not be kept; null otherwise.</returns>
    public string? Resume(CheckpointData? recovered)
    {
        if (recovered is null || (recovered.ConfiguredIntervalTicks ?? recovered.BatchIntervalTicks) != Configured.Ticks)
        {
            return null;
        }

        var recorded = TimeSpan.FromTicks(recovered.BatchIntervalTicks);
        if (Misalignment(recorded) is { } why)
        {
            return $"The checkpoint's batch interval {recorded} is not resumed ({why}); the context resumes with {Configured}.";
        }

        Volatile.Write(ref _current, recorded.Ticks);
        return null;
    }

    /// <summary>Why <paramref name="interval"/> cannot be in force with the plan's windows; null when it can.</summary>
    public string? Misalignment(TimeSpan interval)
    {
        foreach (var (name, window) in _windows)
        {
            if (window.Length.Ticks % interval.Ticks != 0 || window.Slide.Ticks % interval.Ticks != 0)
            {
                return $"the window {name} has length {window.Length} and slide {window.Slide}, which are not both multiples of {interval}";
            }
        }

        return null;
    }

    /// <summary>The greatest common divisor of every window's length and slide, in ticks: the intervals that fit divide it; null without windows.</summary>
    public long? WindowPeriod =>
        _windows.Length == 0 ? null : _windows.SelectMany(w => new[] { w.Window.Length.Ticks, w.Window.Slide.Ticks }).Aggregate((long)0, (a, b) => (long)System.Numerics.BigInteger.GreatestCommonDivisor(a, b));

    /// <summary>
    /// Asks for <paramref name="interval"/> from the next batch boundary on; a later request before
    /// that boundary replaces it. Completes with the first batch time under the new interval.
    /// </summary>
    /// <exception cref="ArgumentException">The interval does not divide a window's length and slide.</exception>
    public Task<BatchTime> Request(TimeSpan interval)
    {
        if (Misalignment(interval) is { } why)
        {
            throw new ArgumentException($"The batch interval cannot change to {interval}: {why}.", nameof(interval));
        }

        var applied = new TaskCompletionSource<BatchTime>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_stopped)
            {
                applied.TrySetCanceled();
            }
            else
            {
                _pending = interval.Ticks;
                _waiting.Add(applied);
            }
        }

        return applied.Task;
    }

    /// <summary>Adaptive batching's choice: like <see cref="Request"/>, for an interval already known to fit.</summary>
    public void Propose(TimeSpan interval)
    {
        lock (_gate)
        {
            _pending = interval == Current ? 0 : interval.Ticks;
        }
    }

    /// <summary>
    /// The generator's next batch time after the boundary <paramref name="boundary"/>, under the
    /// change waiting there if any.
    /// </summary>
    public BatchTime After(BatchTime boundary)
    {
        List<TaskCompletionSource<BatchTime>>? applied = null;
        BatchTime next;
        lock (_gate)
        {
            if (_pending != 0)
            {
                Volatile.Write(ref _current, _pending);
                _pending = 0;
            }

            next = new BatchTime(NextBoundary(boundary.Ticks, _current));

            // Swapped only when a change waits: a boundary without one (nearly all) allocates nothing.
            if (_waiting.Count > 0)
            {
                (applied, _waiting) = (_waiting, []);
            }
        }

        if (applied is not null)
        {
            foreach (var change in applied)
            {
                change.TrySetResult(next);
            }
        }

        return next;
    }

    /// <summary>Ends the wait of changes that no boundary will apply: the context stopped.</summary>
    public void Stop()
    {
        List<TaskCompletionSource<BatchTime>> abandoned;
        lock (_gate)
        {
            _stopped = true;
            (abandoned, _waiting) = (_waiting, []);
        }

        foreach (var change in abandoned)
        {
            change.TrySetCanceled();
        }
    }

    /// <summary>The first multiple of <paramref name="interval"/> after <paramref name="ticks"/>.</summary>
    public static long NextBoundary(long ticks, long interval) => (Math.DivRem(ticks, interval, out var rest) - (rest < 0 ? 1 : 0) + 1) * interval;
}
