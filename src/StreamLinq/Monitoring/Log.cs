using Microsoft.Extensions.Logging;

namespace StreamLinq.Monitoring;

/// <summary>
/// Every message the engine logs, with its event id. The ids are a contract (operators filter and
/// alert on them; docs/operations.md lists them): never renumber one, only add.
/// </summary>
/// <remarks>Strings reach these methods already redacted (<see cref="Redaction"/>); exceptions are passed as <see cref="Redaction.Wrap"/> makes them.</remarks>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "Job {Job} started: batch interval {BatchInterval}, {Sources} source(s), {Outputs} output(s).")]
    public static partial void Started(ILogger logger, string job, TimeSpan batchInterval, int sources, int outputs);

    [LoggerMessage(1001, LogLevel.Information, "Job {Job} stopping ({Mode}).")]
    public static partial void Stopping(ILogger logger, string job, string mode);

    [LoggerMessage(1002, LogLevel.Information, "Job {Job} stopped.")]
    public static partial void Stopped(ILogger logger, string job);

    [LoggerMessage(1003, LogLevel.Error, "Job {Job} stopped by a failed batch.")]
    public static partial void StoppedByFailure(ILogger logger, string job, Exception error);

    [LoggerMessage(1004, LogLevel.Warning, "Job {Job}: the graceful stop did not finish within {Timeout}; stopping abruptly (queued batches are dropped, the batch in progress is cancelled).")]
    public static partial void GracefulStopTurnedAbrupt(ILogger logger, string job, TimeSpan timeout);

    [LoggerMessage(1100, LogLevel.Debug, "Job {Job}: batch {Batch} completed: {Records} record(s), scheduling delay {SchedulingDelay}, processing {ProcessingDelay}.")]
    public static partial void BatchCompleted(ILogger logger, string job, BatchTime batch, long records, TimeSpan schedulingDelay, TimeSpan processingDelay);

    [LoggerMessage(1101, LogLevel.Error, "Job {Job}: batch {Batch} failed.")]
    public static partial void BatchFailed(ILogger logger, string job, BatchTime batch, Exception error);

    [LoggerMessage(1102, LogLevel.Warning, "Job {Job}: batch {Batch} failed transiently; retry {Attempt} in {Delay}.")]
    public static partial void BatchRetrying(ILogger logger, string job, BatchTime batch, int attempt, TimeSpan delay, Exception error);

    [LoggerMessage(1200, LogLevel.Warning, "Job {Job}: source {Source} hit an error it recovers from.")]
    public static partial void SourceError(ILogger logger, string job, string source, Exception error);

    [LoggerMessage(1201, LogLevel.Warning, "Job {Job}: source {Source} left {Records} record(s) ({Bytes} bytes) out at {Location} under {Policy}: {Reason}.")]
    public static partial void RecordsDropped(ILogger logger, string job, string source, string records, string bytes, string location, BadRecordPolicy policy, string reason);

    [LoggerMessage(1300, LogLevel.Warning, "Job {Job}: checkpoint fallback: {Message}")]
    public static partial void CheckpointFallback(ILogger logger, string job, string message);

    [LoggerMessage(1301, LogLevel.Information, "Job {Job} recovered from checkpoint {Sequence}: last completed batch {LastCompleted}, {Pending} batch(es) to replay.")]
    public static partial void Recovered(ILogger logger, string job, long sequence, string lastCompleted, int pending);

    [LoggerMessage(1400, LogLevel.Error, "Job {Job}: listener {Listener} threw; the batch is not affected.")]
    public static partial void ListenerFailed(ILogger logger, string job, string listener, Exception error);

    [LoggerMessage(1401, LogLevel.Error, "Job {Job}: an observer of an output threw when told the context terminated; the other observers were still told.")]
    public static partial void ObserverFailedOnCompletion(ILogger logger, string job, Exception error);
}
