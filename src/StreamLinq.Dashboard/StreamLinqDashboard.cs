using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;

namespace StreamLinq.Dashboard;

/// <summary>
/// The dashboard's model: the jobs it watches, their latest batches and gauges, and the live
/// feed the page subscribes to. One per application (registered by
/// <see cref="DashboardServiceCollectionExtensions.AddStreamLinqDashboard"/>); add each job with
/// <see cref="Watch"/>.
/// </summary>
/// <remarks>
/// It reads only what StreamLinq publishes: listener events (<see cref="BatchInfo"/>) for the
/// batches, and the <see cref="StreamingDiagnostics.MeterName"/> meter's instruments (through a
/// <see cref="MeterListener"/>, matched by the <c>job</c> tag) for receivers, state, watermarks,
/// the queue and checkpoints. It keeps the latest <see cref="DashboardOptions.RetainedBatches"/>
/// batches per job in memory; nothing is persisted, nothing survives a restart.
/// </remarks>
public sealed class StreamLinqDashboard : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, JobView> _jobs = [];
    private readonly List<Channel<string>> _subscribers = [];
    private readonly MeterListener _meters = new();
    private readonly Timer _gaugeTimer;

    /// <summary>Creates a dashboard model.</summary>
    /// <param name="options">How it is served; defaults when null.</param>
    public StreamLinqDashboard(DashboardOptions? options = null)
    {
        Options = options ?? new DashboardOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.RetainedBatches, 1, nameof(options));
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == StreamingDiagnostics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Measured(instrument.Name, value, tags));
        _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Measured(instrument.Name, value, tags));
        _meters.Start();
        _gaugeTimer = new Timer(_ => PublishGauges(), null, Options.GaugeInterval, Options.GaugeInterval);
    }

    /// <summary>How the dashboard is served.</summary>
    public DashboardOptions Options { get; }

    /// <summary>
    /// Shows a job on the dashboard, from now on: its plan as <see cref="StreamingContext.Explain"/>
    /// draws it, each batch that completes, and its gauges while it runs. Call it before or after
    /// the context starts; watching a job twice does nothing more.
    /// </summary>
    /// <param name="context">The job's context.</param>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    public void Watch(StreamingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        JobView view;
        lock (_gate)
        {
            if (_jobs.ContainsKey(context.JobName))
            {
                return;
            }

            view = new JobView(context.JobName, context.BatchInterval, SafeExplain(context), Options.RetainedBatches);
            _jobs[context.JobName] = view;
        }

        context.AddListener(new Listener(this, view));
    }

    /// <summary>Stops reading the meter and ends every live feed.</summary>
    public void Dispose()
    {
        _gaugeTimer.Dispose();
        _meters.Dispose();
        lock (_gate)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryComplete();
            }

            _subscribers.Clear();
        }
    }

    /// <summary>Everything the page shows, as JSON.</summary>
    internal string SnapshotJson()
    {
        lock (_gate)
        {
            return JsonSerializer.Serialize(new { jobs = _jobs.Values.Select(j => j.Snapshot()).ToList() }, Json);
        }
    }

    /// <summary>A live feed of server-sent events: a snapshot first, then batches and gauges as they come.</summary>
    internal ChannelReader<string> Subscribe()
    {
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(1_000) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_gate)
        {
            channel.Writer.TryWrite(Event("snapshot", SnapshotJson()));
            _subscribers.Add(channel);
        }

        return channel.Reader;
    }

    internal void Unsubscribe(ChannelReader<string> reader)
    {
        lock (_gate)
        {
            _subscribers.RemoveAll(c => c.Reader == reader);
        }
    }

    private static string SafeExplain(StreamingContext context)
    {
        try
        {
            return context.Explain();
        }
        catch (Exception error) when (error is InvalidOperationException or NotSupportedException)
        {
            return "(no plan: " + error.Message + ")";
        }
    }

    private static string Event(string name, string json) => $"event: {name}\ndata: {json}\n\n";

    private void Publish(string name, object payload)
    {
        var text = Event(name, JsonSerializer.Serialize(payload, Json));
        lock (_gate)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryWrite(text);
            }
        }
    }

    private void Measured(string instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? job = null;
        string? part = null;
        foreach (var tag in tags)
        {
            switch (tag.Key)
            {
                case "job":
                    job = tag.Value as string;
                    break;
                case "source" or "operator" or "output":
                    part = Convert.ToString(tag.Value, CultureInfo.InvariantCulture);
                    break;
            }
        }

        JobView? view;
        lock (_gate)
        {
            if (job is null || !_jobs.TryGetValue(job, out view))
            {
                return;
            }
        }

        view.Measured(instrument, part ?? "", value);
    }

    private void PublishGauges()
    {
        try
        {
            _meters.RecordObservableInstruments();
            List<object> gauges;
            lock (_gate)
            {
                gauges = [.. _jobs.Values.Select(j => j.Gauges())];
            }

            Publish("gauges", new { jobs = gauges });
        }
        catch (ObjectDisposedException)
        {
            // Disposed while the timer fired.
        }
    }

    private sealed class Listener(StreamLinqDashboard dashboard, JobView view) : IStreamingListener
    {
        public void OnBatchCompleted(BatchInfo batch)
        {
            var row = view.Completed(batch);
            dashboard.Publish("batch", new { job = view.Name, batch = row });
        }
    }
}
