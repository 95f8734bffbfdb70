using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace StreamLinq.Monitoring;

/// <summary>
/// One context's logging, metrics and traces. It is the first listener on the context's bus, so
/// it sees every event the other listeners see, in the same order; the scheduler calls it directly
/// only for what no listener event carries (spans, per-output and checkpoint timings).
/// </summary>
internal sealed class JobTelemetry : IStreamingListener
{
    public JobTelemetry(StreamingOptions options)
    {
        Job = options.JobName ?? Assembly.GetEntryAssembly()?.GetName().Name ?? "streamlinq";
        Logger = options.LoggerFactory?.CreateLogger("StreamLinq") ?? NullLogger.Instance;
    }

    /// <summary>The <c>job</c> tag and the name in log messages.</summary>
    public string Job { get; }

    public ILogger Logger { get; }

    public void OnBatchCompleted(BatchInfo batch)
    {
        if (batch.Failure is { } failure)
        {
            Log.BatchFailed(Logger, Job, batch.Time, Redaction.Wrap(failure));
        }
        else
        {
            Log.BatchCompleted(Logger, Job, batch.Time, batch.RecordCount ?? 0, batch.SchedulingDelay ?? TimeSpan.Zero, batch.ProcessingDelay ?? TimeSpan.Zero);
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

    public void Started(TimeSpan interval, int sources, int outputs) => Log.Started(Logger, Job, interval, sources, outputs);

    public void Recovered(long sequence, long? lastCompletedTicks, int pending) =>
        Log.Recovered(Logger, Job, sequence, lastCompletedTicks is { } ticks ? new BatchTime(ticks).ToString() : "none", pending);

    public void Stopping(bool graceful) => Log.Stopping(Logger, Job, graceful ? "graceful" : "abrupt");

    public void GracefulStopTurnedAbrupt(TimeSpan timeout) => Log.GracefulStopTurnedAbrupt(Logger, Job, timeout);

    /// <summary>Logs the end of the job, with the failure that ended it if one did.</summary>
    public void Terminated(Exception? failure)
    {
        if (failure is not null)
        {
            Log.StoppedByFailure(Logger, Job, Redaction.Wrap(failure));
        }
        else
        {
            Log.Stopped(Logger, Job);
        }
    }

    private static string Known(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "an unknown number of";
}
