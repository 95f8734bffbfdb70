namespace StreamLinq.Monitoring;

/// <summary>Delivers monitoring events to the registered listeners, isolating the engine from their failures.</summary>
internal sealed class ListenerBus(JobTelemetry telemetry)
{
    private volatile IStreamingListener[] _listeners = [];

    public void Add(IStreamingListener listener)
    {
        lock (this)
        {
            _listeners = [.. _listeners, listener];
        }
    }

    public void Post(Action<IStreamingListener> deliver)
    {
        foreach (var listener in _listeners)
        {
            try
            {
                deliver(listener);
            }
            catch (Exception error)
            {
                telemetry.ListenerFailed(listener, error);
            }
        }
    }
}
