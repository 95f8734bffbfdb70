namespace StreamLinq;

/// <summary>
/// How a batch that failed transiently is tried again before its failure counts (Flink's
/// restart strategies, on Polly's retry): no retry, a fixed delay, an exponential back-off with
/// jitter, or a failure rate allowed within a window. Set it in
/// <see cref="StreamingOptions.RestartStrategy"/>; <see cref="StreamingOptions.IsTransient"/>
/// says which failures are retried at all.
/// </summary>
/// <remarks>
/// <para>A retry resumes the failed batch in the same process, under the same batch time and
/// with the same sealed inputs; it repeats only what had not completed. Inputs already read are
/// kept; a checkpoint is written again (it is idempotent); outputs that completed in an earlier
/// attempt are not run again; the plan's results are kept, so a stateful operator (window,
/// keyed state, watermark) takes the batch into its state once. When a failure of user code in
/// the plan is made transient by a custom <see cref="StreamingOptions.IsTransient"/>, the
/// stateful operators' state is snapshotted before the plan runs and restored before it runs
/// again.</para>
/// <para>Per delivery guarantee: an at-least-once output that failed partway may have written
/// part of the batch, which it writes again (duplicates are allowed); an exactly-once output
/// writes the same records under the same batch time (a transactional sink's failed transaction
/// rolled back; an idempotent sink overwrites); an at-most-once output is never retried, since it
/// was marked done before it ran.</para>
/// <para>While the batch waits for its retry, batches behind it wait in the queue (order is
/// kept) and the generator holds back once the queue is full. A stop request ends the wait: an
/// abrupt stop at once, a graceful one after <see cref="StreamingOptions.GracefulStopTimeout"/>.
/// When the strategy gives up, the failure is handled as without retries
/// (<see cref="StreamingOptions.StopOnBatchFailure"/>). Every retry is reported to
/// <see cref="IStreamingListener.OnBatchRetrying"/> and counted by the metric
/// <c>streamlinq.batches.retried</c>.</para>
/// </remarks>
public sealed class RestartStrategy
{
    private RestartStrategy(RestartStrategyKind kind, int maxAttempts, TimeSpan delay, TimeSpan maxDelay, bool jitter, int maxFailures, TimeSpan window)
    {
        Kind = kind;
        MaxAttempts = maxAttempts;
        Delay = delay;
        MaxDelay = maxDelay;
        Jitter = jitter;
        MaxFailures = maxFailures;
        Window = window;
    }

    /// <summary>No retry: the first failure counts (the behaviour before restart strategies).</summary>
    public static RestartStrategy None { get; } = new(RestartStrategyKind.None, 0, TimeSpan.Zero, TimeSpan.Zero, false, 0, TimeSpan.Zero);

    /// <summary>
    /// The default: exponential back-off from 1 second to 1 minute with jitter, without limit on
    /// the attempts (Flink's default with checkpointing). A batch whose source is down is retried
    /// until it comes back or the context is stopped.
    /// </summary>
    public static RestartStrategy Default { get; } = ExponentialBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));

    /// <summary>Which strategy this is.</summary>
    public RestartStrategyKind Kind { get; }

    /// <summary>The most retries of one batch (its first run not counted).</summary>
    public int MaxAttempts { get; }

    /// <summary>The delay before a retry; the first delay for exponential back-off.</summary>
    public TimeSpan Delay { get; }

    /// <summary>The longest delay exponential back-off reaches.</summary>
    public TimeSpan MaxDelay { get; }

    /// <summary>Whether exponential back-off delays are randomised (decorrelated jitter), so that workers restarted together do not retry together.</summary>
    public bool Jitter { get; }

    /// <summary>For a failure rate: the most failures allowed within <see cref="Window"/>.</summary>
    public int MaxFailures { get; }

    /// <summary>For a failure rate: the sliding window failures are counted in.</summary>
    public TimeSpan Window { get; }

    /// <summary>Retries a failed batch up to <paramref name="maxAttempts"/> times, waiting <paramref name="delay"/> before each.</summary>
    /// <param name="maxAttempts">The most retries of one batch; at least 1.</param>
    /// <param name="delay">The wait before each retry; from zero to one day.</param>
    /// <returns>The strategy.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static RestartStrategy FixedDelay(int maxAttempts, TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        CheckDelay(delay);
        return new(RestartStrategyKind.FixedDelay, maxAttempts, delay, delay, false, 0, TimeSpan.Zero);
    }

    /// <summary>
    /// Retries a failed batch with delays that double from <paramref name="initialDelay"/> up to
    /// <paramref name="maxDelay"/>, randomised when <paramref name="jitter"/> is set.
    /// </summary>
    /// <param name="initialDelay">The first delay; positive.</param>
    /// <param name="maxDelay">The longest delay; at least <paramref name="initialDelay"/>, at most one day.</param>
    /// <param name="maxAttempts">The most retries of one batch; unlimited by default.</param>
    /// <param name="jitter">Whether delays are randomised; true by default.</param>
    /// <returns>The strategy.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static RestartStrategy ExponentialBackoff(TimeSpan initialDelay, TimeSpan maxDelay, int maxAttempts = int.MaxValue, bool jitter = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(initialDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDelay, initialDelay);
        CheckDelay(maxDelay);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        return new(RestartStrategyKind.ExponentialBackoff, maxAttempts, initialDelay, maxDelay, jitter, 0, TimeSpan.Zero);
    }

    /// <summary>
    /// Retries every failed batch after <paramref name="delay"/> as long as no more than
    /// <paramref name="maxFailures"/> failures (of any batch) happened within the last
    /// <paramref name="window"/>; the failure that exceeds the rate counts.
    /// </summary>
    /// <param name="maxFailures">The most failures allowed within the window; at least 1.</param>
    /// <param name="window">The sliding window; positive.</param>
    /// <param name="delay">The wait before each retry; from zero to one day.</param>
    /// <returns>The strategy.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static RestartStrategy FailureRate(int maxFailures, TimeSpan window, TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFailures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        CheckDelay(delay);
        return new(RestartStrategyKind.FailureRate, int.MaxValue, delay, delay, false, maxFailures, window);
    }

    /// <summary>Polly's retry waits at most a day between attempts.</summary>
    private static void CheckDelay(TimeSpan delay, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(delay))] string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero, name);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(delay, TimeSpan.FromDays(1), name);
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        RestartStrategyKind.None => "no retry",
        RestartStrategyKind.FixedDelay => $"fixed delay: {MaxAttempts} retries, {Delay} apart",
        RestartStrategyKind.ExponentialBackoff => $"exponential back-off: {Delay} to {MaxDelay}{(Jitter ? " with jitter" : "")}, {(MaxAttempts == int.MaxValue ? "unlimited" : MaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture))} retries",
        _ => $"failure rate: at most {MaxFailures} failures per {Window}, {Delay} apart",
    };
}

/// <summary>The kinds of <see cref="RestartStrategy"/>.</summary>
public enum RestartStrategyKind
{
    /// <summary>No retry.</summary>
    None,

    /// <summary>A fixed number of retries, a fixed delay apart.</summary>
    FixedDelay,

    /// <summary>Retries with doubling delays, capped, optionally randomised.</summary>
    ExponentialBackoff,

    /// <summary>Retries as long as failures stay under a rate.</summary>
    FailureRate,
}
