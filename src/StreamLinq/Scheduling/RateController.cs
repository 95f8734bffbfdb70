using StreamLinq.Sources;

namespace StreamLinq.Scheduling;

/// <summary>
/// Back pressure: after every completed batch, feeds the batch's size and delays to a
/// <see cref="PidRateEstimator"/> and applies the rate it proposes to every receiver, so that
/// an overloaded engine slows its sources instead of queueing without bound.
/// </summary>
internal sealed class RateController(TimeSpan batchInterval, IReadOnlyList<IRateControlledSource> sources) : IStreamingListener
{
    private readonly PidRateEstimator _estimator = new(batchInterval);

    /// <summary>The last rate applied, in records per second; null before the first estimate.</summary>
    public double? CurrentRate { get; private set; }

    public void OnBatchCompleted(BatchInfo batch)
    {
        if (batch.Failure is not null || batch is not { RecordCount: { } records, ProcessingDelay: { } processing, SchedulingDelay: { } scheduling })
        {
            return;
        }

        // Each receiver gets its share of the rate the whole batch was processed at.
        if (_estimator.Compute(batch.Time.Milliseconds, records, processing, scheduling) is { } rate && sources.Count > 0)
        {
            CurrentRate = rate;
            foreach (var source in sources)
            {
                source.SetRate(rate / sources.Count);
            }
        }
    }
}
