using StreamLinq.Sources;

namespace StreamLinq.Scheduling;

/// <summary>
/// Back pressure: after every completed batch, feeds the batch's size and the time its whole path
/// took to a <see cref="PidRateEstimator"/> and applies the rate it proposes to every receiver, so
/// that an overloaded engine slows its sources instead of queueing without bound.
/// </summary>
/// <remarks>
/// The path is the seal (from the batch boundary to the batch being queued: a slow or late seal),
/// the processing (reading the inputs, which copies a receiver's chunks, the plan and the outputs)
/// and ingest: a receiver that held its producers back because its buffer was full took all it
/// could in the interval, so the batch's records over the interval bound the rate, and the time
/// held back counts as backlog. Whichever of these is the bottleneck, the estimate follows it.
/// The rate is per second, not per batch: each batch is weighed with the interval it was cut
/// under (<see cref="BatchInfo.Interval"/>), so a changed interval changes the bound a batch
/// sets, not the rate.
/// </remarks>
internal sealed class RateController(TimeSpan batchInterval, IReadOnlyList<IRateControlledSource> sources) : IStreamingListener
{
    private readonly PidRateEstimator _estimator = new(batchInterval);

    /// <summary>The last rate applied, in records per second; null before the first estimate.</summary>
    public double? CurrentRate { get; private set; }

    /// <summary>Whether producers were held back during the last completed batch: the input wanted more than it was let in.</summary>
    public bool HeldBack { get; private set; }

    public void OnBatchCompleted(BatchInfo batch)
    {
        var blocked = TimeSpan.Zero;
        foreach (var source in sources)
        {
            blocked += source.TakeBlockedTime();
        }

        HeldBack = blocked > TimeSpan.Zero;

        if (batch.Failure is not null || batch is not { RecordCount: { } records, ProcessingDelay: { } processing, SchedulingDelay: { } scheduling })
        {
            return;
        }

        // A batch held back by a full queue was submitted at its batch time: its wait is scheduling delay, not sealing.
        var sealing = TimeSpan.FromTicks(Math.Max(0, batch.SubmissionTime - batch.Time.Ticks));
        var busy = sealing + processing;
        var interval = batch.Interval > TimeSpan.Zero ? batch.Interval : batchInterval;
        if (blocked > TimeSpan.Zero && busy < interval)
        {
            busy = interval;
        }

        // Each receiver gets its share of the rate the whole path took the batch at.
        if (_estimator.Compute(batch.Time.Milliseconds, records, busy, scheduling + blocked, interval) is { } rate && sources.Count > 0)
        {
            CurrentRate = rate;
            foreach (var source in sources)
            {
                source.SetRate(rate / sources.Count);
            }
        }
    }
}
