namespace StreamLinq.Monitoring;

/// <summary>Delivers monitoring events to the registered listeners, isolating the engine from their failures.</summary>
/// <remarks>
/// The context's telemetry is always the first listener. While it is the only one, no
/// <see cref="BatchInfo"/> is built: a batch's submission and start are counts, its completion the
/// telemetry's metrics and log line from the figures themselves, and the telemetry keeps no
/// per-input or per-output details, so that an idle batch allocates as little as possible.
/// </remarks>
internal sealed class ListenerBus(JobTelemetry telemetry)
{
    private volatile IStreamingListener[] _listeners = [];

    /// <summary>Whether a listener besides the context's telemetry hears the events.</summary>
    public bool HasOthers => _listeners.Length > 1;

    public void Add(IStreamingListener listener)
    {
        lock (this)
        {
            _listeners = [.. _listeners, listener];
            telemetry.KeepsBatchDetails = _listeners.Length > 1;
        }
    }

    public void Post(Action<IStreamingListener> deliver) => Post(deliver, static (listener, deliver) => deliver(listener));

    /// <summary>Delivers an event whose arguments travel as <paramref name="state"/>: a static lambda allocates no closure.</summary>
    public void Post<TState>(TState state, Action<IStreamingListener, TState> deliver)
    {
        foreach (var listener in _listeners)
        {
            try
            {
                deliver(listener, state);
            }
            catch (Exception error)
            {
                telemetry.ListenerFailed(listener, error);
            }
        }
    }

    /// <summary>A batch was queued: a <see cref="BatchInfo"/> for the listeners, or only the telemetry's count when nobody else listens.</summary>
    public void BatchSubmitted(BatchTime time, long submissionTime, TimeSpan interval)
    {
        if (!HasOthers)
        {
            telemetry.CountSubmitted();
            return;
        }

        Post(new BatchInfo(time, submissionTime) { Interval = interval }, static (listener, batch) => listener.OnBatchSubmitted(batch));
    }

    /// <summary>A batch's processing began: a <see cref="BatchInfo"/> for the listeners, or only the telemetry's count when nobody else listens.</summary>
    public void BatchStarted(BatchTime time, long submissionTime, TimeSpan interval, long start)
    {
        if (!HasOthers)
        {
            telemetry.CountStarted();
            return;
        }

        Post(new BatchInfo(time, submissionTime, start) { Interval = interval }, static (listener, batch) => listener.OnBatchStarted(batch));
    }

    /// <summary>
    /// A batch ended: a <see cref="BatchInfo"/> with the inputs' and outputs' details for the
    /// listeners, or only the telemetry's metrics and log line when nobody else listens.
    /// </summary>
    public void BatchCompleted(BatchTime time, long submissionTime, TimeSpan interval, long start, long end, long records, BatchFailedException? failure)
    {
        if (!HasOthers)
        {
            try
            {
                telemetry.Completed(time, failure, records, TimeSpan.FromTicks(start - submissionTime), TimeSpan.FromTicks(end - start), TimeSpan.FromTicks(end - submissionTime));
            }
            catch (Exception error)
            {
                // The user's logger writes the line: isolated as the event's delivery would be.
                telemetry.ListenerFailed(telemetry, error);
            }

            return;
        }

        var done = new BatchInfo(time, submissionTime, start, end, records, failure, telemetry.Inputs(), telemetry.Outputs(failure)) { Interval = interval };
        Post(done, static (listener, done) => listener.OnBatchCompleted(done));
    }
}
