using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StreamLinq.Sources;
using StreamLinq.State;

namespace StreamLinq.Monitoring;

/// <summary>
/// One context's logging, metrics and traces. It is the first listener on the context's bus, so
/// it sees every event the other listeners see, in the same order; the scheduler calls it directly
/// only for what no listener event carries (spans, per-source counts, per-output and checkpoint
/// timings). The runner processes one batch at a time, so the current batch's details live here.
/// </summary>
internal sealed class JobTelemetry : IStreamingListener
{
    /// <summary>The running contexts, read by the observable gauges when they are collected.</summary>
    public static readonly ConcurrentDictionary<JobTelemetry, byte> Live = new();

    private readonly KeyValuePair<string, object?> _job;
    private readonly Lock _gate = new();
    private IBatchSource[] _sources = [];
    private IStatefulOperator[] _operators = [];
    private Func<long> _nowTicks = () => 0;
    private Func<TimeSpan> _interval = () => TimeSpan.Zero;
    private long[] _lastRecords = [];
    private long _queued;
    private Activity? _batchSpan;
    private readonly List<BatchInputInfo> _inputs = [];
    private readonly List<OutputOperationInfo> _outputs = [];

    public JobTelemetry(StreamingOptions options)
    {
        Job = options.JobName ?? Assembly.GetEntryAssembly()?.GetName().Name ?? "streamlinq";
        Logger = options.LoggerFactory?.CreateLogger("StreamLinq") ?? NullLogger.Instance;
        _job = new("job", Job);
    }

    /// <summary>
    /// Whether the current batch's inputs and outputs are kept for its <see cref="BatchInfo"/>:
    /// only a listener besides this one reads them (see <see cref="ListenerBus"/>).
    /// </summary>
    public bool KeepsBatchDetails { get; set; }

    /// <summary>The <c>job</c> tag and the name in log messages.</summary>
    public string Job { get; }

    public ILogger Logger { get; }

    /// <summary>The <c>job</c> tag alone, for the instruments recorded outside this class.</summary>
    public TagList JobTag => new() { _job };

    /// <summary>Starts reporting the gauges of a started context.</summary>
    public void Attach(IBatchSource[] sources, IEnumerable<IStatefulOperator> operators, Func<TimeSpan> interval, Func<long> nowTicks)
    {
        _sources = sources;
        _operators = [.. operators];
        _interval = interval;
        _nowTicks = nowTicks;
        _lastRecords = new long[sources.Length];
        Live[this] = 0;
    }

    public void OnBatchSubmitted(BatchInfo batch) => CountSubmitted();

    /// <summary>A batch was queued (the <c>streamlinq.batches.queued</c> gauge).</summary>
    public void CountSubmitted() => Interlocked.Increment(ref _queued);

    public void OnBatchStarted(BatchInfo batch) => CountStarted();

    /// <summary>A batch left the queue (the <c>streamlinq.batches.queued</c> gauge).</summary>
    public void CountStarted() => Interlocked.Decrement(ref _queued);

    public void OnBatchCompleted(BatchInfo batch) =>
        Completed(batch.Time, batch.Failure, batch.RecordCount ?? 0, batch.SchedulingDelay ?? TimeSpan.Zero, batch.ProcessingDelay ?? TimeSpan.Zero, batch.TotalDelay ?? TimeSpan.Zero);

    /// <summary>A batch ended: its metrics, its span's outcome and its log line.</summary>
    public void Completed(BatchTime time, Exception? failure, long records, TimeSpan schedulingDelay, TimeSpan processingDelay, TimeSpan totalDelay)
    {
        var tags = JobTag;
        (failure is null ? StreamingMetrics.BatchesCompleted : StreamingMetrics.BatchesFailed).Add(1, tags);
        StreamingMetrics.RecordsProcessed.Add(records, tags);
        StreamingMetrics.ProcessingDelay.Record(processingDelay.TotalSeconds, tags);
        StreamingMetrics.SchedulingDelay.Record(schedulingDelay.TotalSeconds, tags);
        StreamingMetrics.TotalDelay.Record(totalDelay.TotalSeconds, tags);
        if (_batchSpan is { } span)
        {
            span.SetTag("streamlinq.batch.records", records);
            if (failure is not null)
            {
                span.SetStatus(ActivityStatusCode.Error, Redaction.Redact(failure.Message));
            }
        }

        if (failure is not null)
        {
            Log.BatchFailed(Logger, Job, time, Redaction.Wrap(failure));
        }
        else
        {
            Log.BatchCompleted(Logger, Job, time, records, schedulingDelay, processingDelay);
        }
    }

    public void OnBatchRetrying(BatchInfo batch, int attempt, TimeSpan delay) =>
        Log.BatchRetrying(Logger, Job, batch.Time, attempt, delay, Redaction.Wrap(batch.Failure ?? new InvalidOperationException("unknown failure")));

    public void OnSourceError(string source, Exception error) =>
        Log.SourceError(Logger, Job, Redaction.Redact(source), Redaction.Wrap(error));

    public void OnRecordsDropped(RecordsDropped dropped) =>
        Log.RecordsDropped(Logger, Job, Redaction.Redact(dropped.Source), Known(dropped.Records), Known(dropped.Bytes), Redaction.Redact(dropped.Location), dropped.Policy, Redaction.Redact(dropped.Reason));

    public void OnCheckpointWarning(string message) => Log.CheckpointFallback(Logger, Job, Redaction.Redact(message));

    public void ListenerFailed(IStreamingListener listener, Exception error) =>
        Log.ListenerFailed(Logger, Job, listener.GetType().Name, Redaction.Wrap(error));

    public void ObserverFailedOnCompletion(Exception error) =>
        Log.ObserverFailedOnCompletion(Logger, Job, Redaction.Wrap(error));

    public void Started(TimeSpan interval, int sources, int outputs) => Log.Started(Logger, Job, interval, sources, outputs);

    public void Recovered(long sequence, long? lastCompletedTicks, int pending) =>
        Log.Recovered(Logger, Job, sequence, lastCompletedTicks is { } ticks ? new BatchTime(ticks).ToString() : "none", pending);

    public void Stopping(bool graceful) => Log.Stopping(Logger, Job, graceful ? "graceful" : "abrupt");

    public void GracefulStopTurnedAbrupt(TimeSpan timeout) => Log.GracefulStopTurnedAbrupt(Logger, Job, timeout);

    /// <summary>Logs the end of the job, with the failure that ended it if one did, and stops its gauges.</summary>
    public void Terminated(Exception? failure)
    {
        Live.TryRemove(this, out _);
        if (failure is not null)
        {
            Log.StoppedByFailure(Logger, Job, Redaction.Wrap(failure));
        }
        else
        {
            Log.Stopped(Logger, Job);
        }
    }

    /// <summary>
    /// Opens the batch's span, a root: batches are independent of whatever activity started the
    /// context. Its output and checkpoint spans are its children through <see cref="Activity.Current"/>.
    /// </summary>
    public Activity? StartBatch(BatchTime time)
    {
        lock (_gate)
        {
            _inputs.Clear();
            _outputs.Clear();
        }

        Activity.Current = null;

        // Without a trace listener there is no span: its tags are not even built.
        var span = StreamingMetrics.Traces.HasListeners()
            ? StreamingMetrics.Traces.StartActivity("streamlinq.batch", ActivityKind.Internal, default(ActivityContext), [_job, new("streamlinq.batch.time", time.ToString())])
            : null;
        _batchSpan = span;
        return span;
    }

    /// <summary>A source's records were read into the current batch.</summary>
    public void InputRead(int index, string source, long records)
    {
        StreamingMetrics.RecordsIn.Add(records, _job, new("source", source));
        if (index < _lastRecords.Length)
        {
            Volatile.Write(ref _lastRecords[index], records);
        }

        if (KeepsBatchDetails)
        {
            lock (_gate)
            {
                _inputs.Add(new BatchInputInfo(source, records));
            }
        }
    }

    /// <summary>Times one output's write of the current batch: a child span and <c>streamlinq.output.duration</c>.</summary>
    public OutputTiming StartOutput(string output)
    {
        var span = StreamingMetrics.Traces.HasListeners()
            ? StreamingMetrics.Traces.StartActivity("streamlinq.output", ActivityKind.Internal, default(ActivityContext), [_job, new("output", output)])
            : null;
        return new OutputTiming(this, output, span);
    }

    private void OutputWritten(string output, TimeSpan elapsed)
    {
        StreamingMetrics.OutputDuration.Record(elapsed.TotalSeconds, _job, new("output", output));
        if (!KeepsBatchDetails)
        {
            return;
        }

        lock (_gate)
        {
            // A retry writes an output again: its time adds to the earlier attempts'.
            for (var i = 0; i < _outputs.Count; i++)
            {
                if (_outputs[i].Output == output)
                {
                    elapsed += _outputs[i].Duration;
                    _outputs.RemoveAt(i);
                    break;
                }
            }

            _outputs.Add(new OutputOperationInfo(output, elapsed, false));
        }
    }

    /// <summary>Times one checkpoint write: a child span and <c>streamlinq.checkpoint.duration</c>.</summary>
    public IDisposable StartCheckpoint()
    {
        var span = StreamingMetrics.Traces.StartActivity("streamlinq.checkpoint", ActivityKind.Internal, default(ActivityContext), [_job]);
        return new Timing(span, elapsed => StreamingMetrics.CheckpointDuration.Record(elapsed.TotalSeconds, _job));
    }

    /// <summary>A checkpoint of <paramref name="bytes"/> was written.</summary>
    public void CheckpointWritten(long bytes)
    {
        StreamingMetrics.CheckpointSize.Record(bytes, _job);
        Activity.Current?.SetTag("streamlinq.checkpoint.size", bytes);
    }

    /// <summary>The current batch's inputs, for its <see cref="BatchInfo"/>.</summary>
    public IReadOnlyList<BatchInputInfo> Inputs()
    {
        lock (_gate)
        {
            return _inputs.ToArray();
        }
    }

    /// <summary>The current batch's outputs, for its <see cref="BatchInfo"/>; the one a failure names is marked failed.</summary>
    public IReadOnlyList<OutputOperationInfo> Outputs(BatchFailedException? failure)
    {
        lock (_gate)
        {
            // A loop, not a query: a lambda over the failure would make a closure every batch.
            var outputs = new OutputOperationInfo[_outputs.Count];
            for (var i = 0; i < outputs.Length; i++)
            {
                var output = _outputs[i];
                outputs[i] = failure is { Stage: BatchStage.Output } && failure.Operation == output.Output ? output with { Failed = true } : output;
            }

            return outputs;
        }
    }

    public IEnumerable<Measurement<double>> InputRates()
    {
        var seconds = _interval().TotalSeconds;
        for (var i = 0; i < _sources.Length && i < _lastRecords.Length && seconds > 0; i++)
        {
            yield return new(Volatile.Read(ref _lastRecords[i]) / seconds, _job, new("source", _sources[i].Name));
        }
    }

    public IEnumerable<Measurement<double>> BatchInterval()
    {
        yield return new(_interval().TotalSeconds, _job);
    }

    public IEnumerable<Measurement<long>> QueuedBatches()
    {
        yield return new(Math.Max(0, Interlocked.Read(ref _queued)), _job);
    }

    public IEnumerable<Measurement<double>> ReceiverUsage() =>
        _sources.Where(s => s is IReceiverGauges { Capacity: > 0 })
            .Select(s => new Measurement<double>((double)((IReceiverGauges)s).Buffered / ((IReceiverGauges)s).Capacity, _job, new("source", s.Name)));

    public IEnumerable<Measurement<double>> ReceiverRateLimits() =>
        _sources.Where(s => s is IReceiverGauges { RateLimit: not null })
            .Select(s => new Measurement<double>(((IReceiverGauges)s).RateLimit!.Value, _job, new("source", s.Name)));

    public IEnumerable<Measurement<long>> StateEntries() =>
        _operators.Where(o => o.StateEntries is not null)
            .Select(o => new Measurement<long>(o.StateEntries!.Value, _job, new("operator", o.StateId)));

    public IEnumerable<Measurement<double>> WatermarkLags()
    {
        var now = _nowTicks();
        return _operators.Where(o => o.Watermark is not null)
            .Select(o => new Measurement<double>(TimeSpan.FromTicks(Math.Max(0, now - o.Watermark!.Value)).TotalSeconds, _job, new("operator", o.StateId)));
    }

    private static string Known(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "an unknown number of";

    /// <summary>One output's write: its span, its <c>streamlinq.output.duration</c> and its <see cref="OutputOperationInfo"/> end together.</summary>
    internal readonly struct OutputTiming(JobTelemetry telemetry, string output, Activity? span) : IDisposable
    {
        private readonly long _start = Stopwatch.GetTimestamp();

        public void Dispose()
        {
            telemetry.OutputWritten(output, Stopwatch.GetElapsedTime(_start));
            span?.Dispose();
        }
    }

    /// <summary>A span and a histogram measurement that end together.</summary>
    private sealed class Timing(Activity? span, Action<TimeSpan> record) : IDisposable
    {
        private readonly long _start = Stopwatch.GetTimestamp();

        public void Dispose()
        {
            record(Stopwatch.GetElapsedTime(_start));
            span?.Dispose();
        }
    }
}
