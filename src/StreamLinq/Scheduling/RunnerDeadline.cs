namespace StreamLinq.Scheduling;

/// <summary>
/// <see cref="StreamingOptions.OperationTimeout"/> for the external calls (input reads, output
/// writes) of a batch's first attempt, which run on the runner's own thread: one timer and one
/// cancellation source, made once and re-armed per call, so that a call that returns in time
/// costs no thread-pool hop, no timer and no allocation (a call per batch on a pool thread, its
/// timer and its linked token were most of an idle 10 ms context's cost).
/// </summary>
/// <remarks>
/// At the deadline, or at an abrupt stop, the call's token is cancelled; a call that is
/// awaited stops being awaited, as <see cref="Task.WaitAsync(CancellationToken)"/> would. A call
/// still running synchronously on the runner's thread cannot be left that way, so the thread is
/// left to it instead: the scheduler's take-over goes on with the batch (as if the call had thrown
/// the time-out, or the stop) on a thread of its own, which becomes the runner, and the call, if
/// it ever returns, gets a <see cref="RunnerReplacedException"/>, so that the thread it held ends
/// without touching the batch again. A token handed to a call is reused by the next call when it
/// was not cancelled: a call must not keep using it once it has returned.
/// </remarks>
internal sealed class RunnerDeadline : IDisposable
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _limit;
    private readonly CancellationToken _abort;
    private readonly Action<string, BatchStage, bool> _takeOver;
    private readonly ITimer _timer;
    private readonly CancellationTokenRegistration _aborted;
    private readonly Lock _gate = new();
    private CancellationTokenSource _cancel = new();
    private long _call;
    private long _armedAt;
    private CallState _state;
    private bool _timedOut;
    private string _what = "";
    private BatchStage _stage;

    /// <param name="time">The context's clock.</param>
    /// <param name="limit">How long a call may take.</param>
    /// <param name="abort">Cancelled at an abrupt stop: the call in progress is left at once.</param>
    /// <param name="takeOver">
    /// Called (on a timer's or the stopping thread) when a call was left while it ran on the
    /// runner's thread: the call's name, its stage, and whether the stop (rather than the time-out)
    /// left it.
    /// </param>
    public RunnerDeadline(TimeProvider time, TimeSpan limit, CancellationToken abort, Action<string, BatchStage, bool> takeOver)
    {
        _time = time;

        // Beyond what a timer can wait for (about 49 days), the limit is no limit.
        _limit = limit < TimeSpan.FromDays(40) ? limit : Timeout.InfiniteTimeSpan;
        _abort = abort;
        _takeOver = takeOver;
        _timer = time.CreateTimer(static deadline => ((RunnerDeadline)deadline!).Expire(stopping: false), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _aborted = abort.UnsafeRegister(static deadline => ((RunnerDeadline)deadline!).Expire(stopping: true), this);
    }

    private enum CallState
    {
        /// <summary>No call is in progress.</summary>
        Idle,

        /// <summary>The call runs synchronously on the thread that made it.</summary>
        Running,

        /// <summary>The call returned a task that is being awaited.</summary>
        Awaited,

        /// <summary>The call was left while it ran; another thread goes on with the batch.</summary>
        Left,
    }

    /// <summary>The failure of a call that did not complete within the limit.</summary>
    public static TimeoutException Exceeded(string what, TimeSpan limit) =>
        new($"{what} did not complete within {limit} ({nameof(StreamingOptions)}.{nameof(StreamingOptions.OperationTimeout)}).");

    /// <summary>
    /// Makes <paramref name="call"/> on this thread under the limit; throws a
    /// <see cref="TimeoutException"/> at the limit and an <see cref="OperationCanceledException"/>
    /// at an abrupt stop.
    /// </summary>
    /// <exception cref="RunnerReplacedException">The call returned after it was left: this thread is no longer the runner.</exception>
    public async ValueTask<T> CallAsync<TState, T>(TState state, Func<TState, CancellationToken, ValueTask<T>> call, string what, BatchStage stage)
    {
        _abort.ThrowIfCancellationRequested();
        var (id, token) = Arm(what, stage);
        try
        {
            ValueTask<T> pending;
            try
            {
                pending = call(state, token);
            }
            finally
            {
                Returned(id);
            }

            return pending.IsCompleted ? pending.Result : await pending.AsTask().WaitAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested && TimedOut(id))
        {
            throw Exceeded(what, _limit);
        }
        finally
        {
            Disarm(id);
        }
    }

    public void Dispose()
    {
        _aborted.Dispose();
        _timer.Dispose();
        lock (_gate)
        {
            _cancel.Dispose();
        }
    }

    private (long Id, CancellationToken Token) Arm(string what, BatchStage stage)
    {
        long id;
        CancellationToken token;
        lock (_gate)
        {
            // Never cancelled in place (an expiry swaps it out first); the reset drops what the
            // previous call registered on its token.
            _cancel.TryReset();
            id = ++_call;
            _armedAt = _time.GetTimestamp();
            _state = CallState.Running;
            _timedOut = false;
            _what = what;
            _stage = stage;
            token = _cancel.Token;
        }

        _timer.Change(_limit, Timeout.InfiniteTimeSpan);
        return (id, token);
    }

    private void Returned(long id)
    {
        lock (_gate)
        {
            if (_call != id || _state == CallState.Left)
            {
                throw new RunnerReplacedException();
            }

            _state = CallState.Awaited;
        }
    }

    private bool TimedOut(long id)
    {
        lock (_gate)
        {
            return _call == id && _timedOut;
        }
    }

    private void Disarm(long id)
    {
        // The timer is left to fire: a fire with no call armed does nothing, and re-arming it
        // at the next call is cheaper than stopping it after each one.
        lock (_gate)
        {
            if (_call == id && _state != CallState.Left)
            {
                _state = CallState.Idle;
            }
        }
    }

    private void Expire(bool stopping)
    {
        CancellationTokenSource cancel;
        bool left;
        string what;
        BatchStage stage;
        lock (_gate)
        {
            if (_state is CallState.Idle or CallState.Left)
            {
                return;
            }

            if (!stopping)
            {
                // A fire meant for an earlier call, or a clock read a little before the timer's:
                // the timer is set again for what is left of this call's limit.
                var remaining = _limit - _time.GetElapsedTime(_armedAt);
                if (remaining > TimeSpan.Zero)
                {
                    _timer.Change(remaining, Timeout.InfiniteTimeSpan);
                    return;
                }
            }

            _timedOut = !stopping;
            left = _state == CallState.Running;
            if (left)
            {
                _state = CallState.Left;
            }

            // Swapped out under the lock, so that the cancellation cannot reach a call armed
            // after this one returned.
            cancel = _cancel;
            _cancel = new CancellationTokenSource();
            what = _what;
            stage = _stage;
        }

        try
        {
            cancel.Cancel();
        }
        catch (AggregateException)
        {
            // A callback the call registered on its token threw; the call fails or is left either way.
        }

        if (left)
        {
            _takeOver(what, stage, stopping);
        }
    }
}
