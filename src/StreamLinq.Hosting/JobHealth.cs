namespace StreamLinq.Hosting;

/// <summary>What the health check needs of one job, kept from its listener events.</summary>
internal sealed class JobHealth(TimeSpan maxSchedulingDelay, TimeSpan failedBatchWindow) : IStreamingListener
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<BatchTime, long> _queued = [];
    private BatchInfo? _last;
    private BatchInfo? _lastFailed;

    public TimeSpan MaxSchedulingDelay => maxSchedulingDelay;

    public void OnBatchSubmitted(BatchInfo batch)
    {
        lock (_gate)
        {
            _queued[batch.Time] = batch.SubmissionTime;
        }
    }

    public void OnBatchStarted(BatchInfo batch)
    {
        lock (_gate)
        {
            _queued.Remove(batch.Time);
            _last = batch;
        }
    }

    public void OnBatchCompleted(BatchInfo batch)
    {
        lock (_gate)
        {
            _last = batch;
            if (batch.Failure is not null)
            {
                _lastFailed = batch;
            }
        }
    }

    /// <summary>Why the job is unhealthy now, or null when it is healthy.</summary>
    /// <param name="state">The context's state.</param>
    /// <param name="nowTicks">Now, in the context clock's ticks.</param>
    public string? Problem(StreamingContextState state, long nowTicks)
    {
        lock (_gate)
        {
            if (_lastFailed is { Failure: { } failure } failed
                && (state == StreamingContextState.Stopped || ReferenceEquals(failed, _last) || nowTicks - (failed.ProcessingEndTime ?? nowTicks) <= failedBatchWindow.Ticks))
            {
                return $"batch {failed.Time} failed: {failure.Message}";
            }

            // The oldest batch still queued, or the last one started: whichever waited longer.
            var waited = _last?.SchedulingDelay ?? TimeSpan.Zero;
            if (_queued.Count > 0)
            {
                var oldest = _queued.First().Value;
                waited = TimeSpan.FromTicks(Math.Max(waited.Ticks, nowTicks - oldest));
            }

            return waited > maxSchedulingDelay ? $"scheduling delay {waited} is past the bound of {maxSchedulingDelay}" : null;
        }
    }
}
