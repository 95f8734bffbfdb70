namespace StreamLinq;

/// <summary>
/// The names to subscribe to for StreamLinq's metrics and traces, e.g. with OpenTelemetry:
/// <c>metrics.AddMeter(StreamingDiagnostics.MeterName)</c> and
/// <c>tracing.AddSource(StreamingDiagnostics.ActivitySourceName)</c>.
/// </summary>
/// <remarks>
/// <para>Metrics (durations in seconds, sizes in bytes; every one tagged <c>job</c>, from
/// <see cref="StreamingOptions.JobName"/>): <c>streamlinq.records.in</c> and
/// <c>streamlinq.input.rate</c> (per <c>source</c>), <c>streamlinq.batch.processing_delay</c>,
/// <c>.scheduling_delay</c> and <c>.total_delay</c> (histograms), <c>streamlinq.batch.interval</c>
/// (the interval in force, a gauge: it moves under <see cref="StreamingContext.SetBatchIntervalAsync"/>
/// and <see cref="StreamingOptions.AdaptiveInterval"/>), <c>streamlinq.batches.queued</c>,
/// <c>.completed</c>, <c>.failed</c>, <c>.retried</c>, <c>.held_back</c>,
/// <c>streamlinq.receiver.buffer.usage</c> and <c>.rate_limit</c> (per <c>source</c>),
/// <c>streamlinq.records.dropped</c>, <c>streamlinq.bytes.dropped</c> and
/// <c>streamlinq.records.refused</c> (per <c>source</c>), <c>streamlinq.output.duration</c> (per
/// <c>output</c>), <c>streamlinq.checkpoint.duration</c> and <c>.size</c>,
/// <c>streamlinq.state.entries</c> and <c>streamlinq.watermark.lag</c> (per <c>operator</c>, the
/// operator's state id). docs/operations.md describes each.</para>
/// <para>Traces: one span <c>streamlinq.batch</c> per batch (tags <c>job</c>,
/// <c>streamlinq.batch.time</c>, <c>streamlinq.batch.records</c>; status error when it failed),
/// with child spans <c>streamlinq.output</c> (tag <c>output</c>) for each output operation written
/// and <c>streamlinq.checkpoint</c> for each checkpoint written. A retried batch keeps one span.</para>
/// </remarks>
public static class StreamingDiagnostics
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> every instrument is under.</summary>
    public const string MeterName = "StreamLinq";

    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/> of the batch, output and checkpoint spans.</summary>
    public const string ActivitySourceName = "StreamLinq";
}
