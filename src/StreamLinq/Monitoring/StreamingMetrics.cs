using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace StreamLinq.Monitoring;

/// <summary>
/// The engine's instruments, under the meter <see cref="StreamingDiagnostics.MeterName"/>, and its
/// <see cref="ActivitySource"/>. Durations are in seconds and sizes in bytes, as the OpenTelemetry
/// semantic conventions ask. Every instrument carries the tag <c>job</c>
/// (<see cref="StreamingOptions.JobName"/>); per-source ones <c>source</c>, per-output ones
/// <c>output</c>, per-operator ones <c>operator</c> (the operator's state id). The observable
/// gauges read every running context (<see cref="JobTelemetry.Live"/>) when collected.
/// </summary>
internal static class StreamingMetrics
{
    public static readonly Meter Meter = new(StreamingDiagnostics.MeterName);

    public static readonly ActivitySource Traces = new(StreamingDiagnostics.ActivitySourceName);

    public static readonly Counter<long> BatchesCompleted = Meter.CreateCounter<long>("streamlinq.batches.completed", "{batch}", "Batches processed successfully.");

    public static readonly Counter<long> BatchesFailed = Meter.CreateCounter<long>("streamlinq.batches.failed", "{batch}", "Batches whose processing failed.");

    public static readonly Counter<long> BatchesRetried = Meter.CreateCounter<long>("streamlinq.batches.retried", "{batch}", "Retries of batches that failed transiently, tagged with the stage that failed.");

    public static readonly Counter<long> BatchesHeldBack = Meter.CreateCounter<long>("streamlinq.batches.held_back", "{batch}", "Batches sealed late because the queue of sealed batches was full.");

    public static readonly Counter<long> RecordsIn = Meter.CreateCounter<long>("streamlinq.records.in", "{record}", "Input records read by batches, per source.");

    public static readonly Counter<long> RecordsProcessed = Meter.CreateCounter<long>("streamlinq.records.processed", "{record}", "Input records of processed batches.");

    public static readonly Counter<long> RecordsDropped = Meter.CreateCounter<long>("streamlinq.records.dropped", "{record}", "Records a source left out under its bad-record policy (tagged source, reason).");

    public static readonly Counter<long> BytesDropped = Meter.CreateCounter<long>("streamlinq.bytes.dropped", "By", "Bytes a source left out under its bad-record policy or lost to a cut connection (tagged source, reason).");

    public static readonly Counter<long> RecordsHeldBack = Meter.CreateCounter<long>("streamlinq.receiver.records_held_back", "{record}", "Records whose store into a receiver waited for room or for the rate limit (tagged source, reason).");

    public static readonly Counter<double> ReceiverBlockedTime = Meter.CreateCounter<double>("streamlinq.receiver.blocked_time", "s", "Time producers spent held back by a receiver (tagged source, reason).");

    public static readonly Counter<long> RecordsRefused = Meter.CreateCounter<long>("streamlinq.records.refused", "{record}", "Records a receiver refused because it had stopped (tagged source).");

    public static readonly Histogram<double> ProcessingDelay = Meter.CreateHistogram<double>("streamlinq.batch.processing_delay", "s", "Time to process a batch: reading its inputs, running the plan and every output.");

    public static readonly Histogram<double> SchedulingDelay = Meter.CreateHistogram<double>("streamlinq.batch.scheduling_delay", "s", "Time a batch waited in the queue before processing began.");

    public static readonly Histogram<double> TotalDelay = Meter.CreateHistogram<double>("streamlinq.batch.total_delay", "s", "Scheduling delay plus processing delay.");

    public static readonly Histogram<double> OutputDuration = Meter.CreateHistogram<double>("streamlinq.output.duration", "s", "Time one output operation took to write one batch (tagged output).");

    public static readonly Histogram<double> CheckpointDuration = Meter.CreateHistogram<double>("streamlinq.checkpoint.duration", "s", "Time to write one checkpoint.");

    public static readonly Histogram<long> CheckpointSize = Meter.CreateHistogram<long>("streamlinq.checkpoint.size", "By", "Size of one checkpoint written.");

    static StreamingMetrics()
    {
        Meter.CreateObservableGauge("streamlinq.input.rate", () => Each(t => t.InputRates()), "{record}/s", "Records per second each source delivered in the last batch.");
        Meter.CreateObservableGauge("streamlinq.batch.interval", () => Each(t => t.BatchInterval()), "s", "The batch interval in force: the configured one, or as changed at run time or by adaptive batching.");
        Meter.CreateObservableUpDownCounter("streamlinq.batches.queued", () => Each(t => t.QueuedBatches()), "{batch}", "Batches sealed and waiting to be processed.");
        Meter.CreateObservableGauge("streamlinq.receiver.buffer.usage", () => Each(t => t.ReceiverUsage()), "1", "How full each receiver's buffer is, from 0 (empty) to 1 (full: its producer is held back).");
        Meter.CreateObservableGauge("streamlinq.receiver.rate_limit", () => Each(t => t.ReceiverRateLimits()), "{record}/s", "The rate each rate-limited receiver accepts now (back pressure may set it below its maximum).");
        Meter.CreateObservableGauge("streamlinq.state.entries", () => Each(t => t.StateEntries()), "{entry}", "Entries each stateful operator holds: keys for keyed state, batch partials for a window.");
        Meter.CreateObservableGauge("streamlinq.watermark.lag", () => Each(t => t.WatermarkLags()), "s", "How far each event-time operator's watermark is behind the clock.");
    }

    /// <summary>Names every instrument, for tests and docs that must list them all.</summary>
    public static IReadOnlyList<string> InstrumentNames { get; } =
    [
        "streamlinq.batches.completed", "streamlinq.batches.failed", "streamlinq.batches.retried", "streamlinq.batches.held_back",
        "streamlinq.receiver.records_held_back", "streamlinq.receiver.blocked_time",
        "streamlinq.records.in", "streamlinq.records.processed", "streamlinq.records.dropped", "streamlinq.bytes.dropped", "streamlinq.records.refused",
        "streamlinq.batch.processing_delay", "streamlinq.batch.scheduling_delay", "streamlinq.batch.total_delay",
        "streamlinq.output.duration", "streamlinq.checkpoint.duration", "streamlinq.checkpoint.size",
        "streamlinq.input.rate", "streamlinq.batch.interval", "streamlinq.batches.queued", "streamlinq.receiver.buffer.usage", "streamlinq.receiver.rate_limit",
        "streamlinq.state.entries", "streamlinq.watermark.lag",
    ];

    private static IEnumerable<Measurement<T>> Each<T>(Func<JobTelemetry, IEnumerable<Measurement<T>>> measure)
        where T : struct => JobTelemetry.Live.Keys.SelectMany(measure).ToList();
}
