using System.Diagnostics.Metrics;

namespace StreamLinq.Monitoring;

/// <summary>The engine's instruments, published under the meter named <c>StreamLinq</c>.</summary>
internal static class StreamingMetrics
{
    public static readonly Meter Meter = new("StreamLinq");

    public static readonly Counter<long> BatchesCompleted = Meter.CreateCounter<long>("streamlinq.batches.completed", "{batch}", "Batches processed successfully.");

    public static readonly Counter<long> BatchesFailed = Meter.CreateCounter<long>("streamlinq.batches.failed", "{batch}", "Batches whose processing failed.");

    public static readonly Counter<long> BatchesRetried = Meter.CreateCounter<long>("streamlinq.batches.retried", "{batch}", "Retries of batches that failed transiently, tagged with the stage that failed.");

    public static readonly Counter<long> BatchesHeldBack = Meter.CreateCounter<long>("streamlinq.batches.held_back", "{batch}", "Batches sealed late because the queue of sealed batches was full.");

    public static readonly Counter<long> RecordsProcessed = Meter.CreateCounter<long>("streamlinq.records.processed", "{record}", "Input records of processed batches.");

    public static readonly Counter<long> RecordsDropped = Meter.CreateCounter<long>("streamlinq.records.dropped", "{record}", "Records a source left out under its bad-record policy (tagged source, reason).");

    public static readonly Counter<long> BytesDropped = Meter.CreateCounter<long>("streamlinq.bytes.dropped", "By", "Bytes a source left out under its bad-record policy or lost to a cut connection (tagged source, reason).");

    public static readonly Counter<long> RecordsHeldBack = Meter.CreateCounter<long>("streamlinq.receiver.records_held_back", "{record}", "Records whose store into a receiver waited for room or for the rate limit (tagged source, reason).");

    public static readonly Counter<double> ReceiverBlockedTime = Meter.CreateCounter<double>("streamlinq.receiver.blocked_time", "ms", "Time producers spent held back by a receiver (tagged source, reason).");

    public static readonly Histogram<double> ProcessingDelay = Meter.CreateHistogram<double>("streamlinq.batch.processing_delay", "ms", "Time to process a batch.");

    public static readonly Histogram<double> SchedulingDelay = Meter.CreateHistogram<double>("streamlinq.batch.scheduling_delay", "ms", "Time a batch waited in the queue.");
}
