namespace StreamLinq.Scheduling;

/// <summary>
/// Spark 1.5's back-pressure estimator: a PID controller that, after each batch, proposes the
/// ingestion rate (records per second) at which the engine would keep up. The error is the
/// gap between the current rate and the rate the last batch went through its whole path at
/// (seal, processing, outputs: <see cref="RateController"/> measures it); the integral term is
/// the backlog that delay reveals (queueing, producers held back); the derivative term damps swings.
/// </summary>
internal sealed class PidRateEstimator
{
    private readonly double _batchIntervalMilliseconds;
    private readonly double _proportional;
    private readonly double _integral;
    private readonly double _derivative;
    private readonly double _minRate;
    private bool _firstRun = true;
    private long _latestTime = -1;
    private double _latestRate = -1;
    private double _latestError = -1;

    public PidRateEstimator(TimeSpan batchInterval, double proportional = 1.0, double integral = 0.2, double derivative = 0.0, double minRate = 100)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(batchInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(proportional);
        ArgumentOutOfRangeException.ThrowIfNegative(integral);
        ArgumentOutOfRangeException.ThrowIfNegative(derivative);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(minRate, 0);
        _batchIntervalMilliseconds = batchInterval.TotalMilliseconds;
        _proportional = proportional;
        _integral = integral;
        _derivative = derivative;
        _minRate = minRate;
    }

    /// <summary>
    /// Folds in one completed batch; returns the new rate, or null when there is nothing to
    /// learn from it (the first batch, an empty batch, a batch out of order).
    /// </summary>
    /// <param name="time">The batch time, in milliseconds.</param>
    /// <param name="records">How many records the batch held.</param>
    /// <param name="processingDelay">How long the batch's path took: sealing, reading, the plan and the outputs.</param>
    /// <param name="schedulingDelay">How long the batch's records waited outside that path: in the queue, or in producers a full receiver held back.</param>
    /// <param name="batchInterval">The interval the batch was cut under, when it may differ from the one given at construction (it changed at run time).</param>
    public double? Compute(long time, long records, TimeSpan processingDelay, TimeSpan schedulingDelay, TimeSpan? batchInterval = null)
    {
        if (time <= _latestTime || records <= 0 || processingDelay <= TimeSpan.Zero)
        {
            return null;
        }

        var secondsSinceUpdate = _latestTime < 0 ? 0 : (time - _latestTime) / 1000.0;
        var processingRate = records / processingDelay.TotalMilliseconds * 1000;
        var error = _latestRate - processingRate;
        var intervalMilliseconds = batchInterval is { Ticks: > 0 } current ? current.TotalMilliseconds : _batchIntervalMilliseconds;
        var historicalError = schedulingDelay.TotalMilliseconds * processingRate / intervalMilliseconds;
        var errorRate = secondsSinceUpdate > 0 ? (error - _latestError) / secondsSinceUpdate : 0;
        var newRate = Math.Max(_latestRate - _proportional * error - _integral * historicalError - _derivative * errorRate, _minRate);
        _latestTime = time;
        if (_firstRun)
        {
            _latestRate = processingRate;
            _latestError = 0;
            _firstRun = false;
            return null;
        }

        _latestRate = newRate;
        _latestError = error;
        return newRate;
    }
}
