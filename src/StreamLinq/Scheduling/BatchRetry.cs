using Polly;
using Polly.Retry;

namespace StreamLinq.Scheduling;

/// <summary>
/// A <see cref="RestartStrategy"/> as a Polly retry pipeline around one batch's attempts once
/// its first failed. The pipeline owns the delays, their back-off and jitter, and the attempt
/// count; this class adds only the failure-rate window, which Polly's retry does not have.
/// </summary>
internal sealed class BatchRetry
{
    private readonly ResiliencePipeline _pipeline;
    private readonly RestartStrategy _strategy;
    private readonly TimeProvider _time;
    private readonly Queue<long> _failures = new();

    /// <param name="strategy">When and how often to retry.</param>
    /// <param name="shouldRetry">Whether a failure may be retried at all (transient, and safe to repeat).</param>
    /// <param name="onRetry">Reports a retry about to happen: the failure, the retry's number (1 first) and the delay.</param>
    /// <param name="time">The time the delays are measured in; the system's unless a test says otherwise.</param>
    public BatchRetry(RestartStrategy strategy, Func<BatchFailedException, bool> shouldRetry, Action<BatchFailedException, int, TimeSpan> onRetry, TimeProvider? time = null)
    {
        _strategy = strategy;
        _time = time ?? TimeProvider.System;
        if (strategy.Kind == RestartStrategyKind.None)
        {
            _pipeline = ResiliencePipeline.Empty;
            return;
        }

        var options = new RetryStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is BatchFailedException failure && shouldRetry(failure) && WithinRate()),
            MaxRetryAttempts = strategy.MaxAttempts,
            Delay = strategy.Delay,
            MaxDelay = strategy.Kind == RestartStrategyKind.ExponentialBackoff ? strategy.MaxDelay : null,
            BackoffType = strategy.Kind == RestartStrategyKind.ExponentialBackoff ? DelayBackoffType.Exponential : DelayBackoffType.Constant,
            UseJitter = strategy.Jitter,
            OnRetry = args =>
            {
                onRetry((BatchFailedException)args.Outcome.Exception!, args.AttemptNumber + 1, args.RetryDelay);
                return default;
            },
        };
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }.AddRetry(options).Build();
    }

    /// <summary>
    /// Entered only once a batch's first attempt failed (a batch that succeeds costs no trip
    /// through the pipeline): the pipeline sees <paramref name="failure"/> as its first attempt's
    /// outcome, so delays and attempt numbers are those of a pipeline around every attempt, then
    /// runs <paramref name="attempt"/> after each retried failure; throws the failure it gave up on.
    /// </summary>
    public ValueTask RetryAsync(BatchFailedException failure, Func<CancellationToken, ValueTask> attempt, CancellationToken cancellationToken)
    {
        BatchFailedException? first = failure;
        return _pipeline.ExecuteAsync(
            token =>
            {
                if (first is { } failed)
                {
                    first = null;
                    return ValueTask.FromException(failed);
                }

                return attempt(token);
            },
            cancellationToken);
    }

    /// <summary>For a failure rate, counts this failure and says whether the rate still allows a retry.</summary>
    private bool WithinRate()
    {
        if (_strategy.Kind != RestartStrategyKind.FailureRate)
        {
            return true;
        }

        var now = _time.GetTimestamp();
        lock (_failures)
        {
            _failures.Enqueue(now);
            while (_failures.Count > 0 && _time.GetElapsedTime(_failures.Peek(), now) > _strategy.Window)
            {
                _failures.Dequeue();
            }

            return _failures.Count <= _strategy.MaxFailures;
        }
    }
}
