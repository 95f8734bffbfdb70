using Microsoft.Extensions.Logging;

namespace StreamLinq;

/// <summary>Settings of a <see cref="StreamingContext"/>, fixed when it is created.</summary>
public sealed record StreamingOptions
{
    /// <summary>
    /// The context's one clock: it cuts batches (batch times are its UTC time, as multiples of the
    /// interval since the Unix epoch) and measures every time-out (<see cref="OperationTimeout"/>,
    /// <see cref="StopTimeout"/>, <see cref="GracefulStopTimeout"/>, <see cref="SinkCommitReadTimeout"/>),
    /// the restart strategy's delays, the socket source's reconnect back-off and the receivers'
    /// rate limits. <see cref="TimeProvider.System"/> by default; tests pass a
    /// <c>FakeTimeProvider</c> (Microsoft.Extensions.TimeProvider.Testing) and advance it, so that
    /// batches, time-outs, back-off and rate limits all move with one fake clock.
    /// </summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Whether a failed batch stops the context, surfacing the error from
    /// <see cref="StreamingContext.AwaitTerminationAsync"/> (the default). When false the failure is
    /// only reported to the listeners and the next batch runs. Applies once
    /// <see cref="RestartStrategy"/> has given up on a transient failure, or at once to any other.
    /// </summary>
    public bool StopOnBatchFailure { get; init; } = true;

    /// <summary>
    /// How a batch that failed transiently is retried: <see cref="StreamLinq.RestartStrategy.Default"/>
    /// (exponential back-off from 1 s to 30 s with jitter, at most 8 retries of a batch) unless set;
    /// <see cref="StreamLinq.RestartStrategy.None"/> turns retries off.
    /// </summary>
    public RestartStrategy RestartStrategy { get; init; } = RestartStrategy.Default;

    /// <summary>
    /// Which failures <see cref="RestartStrategy"/> retries; <see cref="TransientFailures.IsTransient"/>
    /// when null (sources down or timed out, sinks' I/O and network errors, checkpoint I/O errors;
    /// never user code in the plan). A custom predicate that accepts a failure of user code
    /// (<see cref="BatchStage.Operator"/>) makes the engine snapshot stateful operators before
    /// each batch's plan runs, so that a retry starts from the state before the batch.
    /// </summary>
    public Func<BatchFailedException, bool>? IsTransient { get; init; }

    /// <summary>
    /// The most sealed batches waiting to be processed; 2 by default. When the queue is full the
    /// generator holds the next seal back until a batch completes: nothing is dropped, push
    /// sources' receivers fill up to <see cref="ReceiverOptions.BufferCapacity"/> and then hold
    /// their producers back, and the time held shows as scheduling delay (the batch's submission
    /// time is its batch time). Batch times stay consecutive. With the running batch and the one
    /// being received, memory holds at most <c>MaxQueuedBatches + 2</c> batches per receiver.
    /// </summary>
    public int MaxQueuedBatches { get; init; } = 2;

    /// <summary>
    /// The longest one external call of a batch may take: reading one input, or one output
    /// operation's write; 1 minute by default, at most 24 days. A call still running then is abandoned (its
    /// cancellation token is cancelled and the batch stops waiting for it) and fails the batch
    /// with a <see cref="TimeoutException"/>, which the default <see cref="IsTransient"/> retries.
    /// </summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a graceful <see cref="StreamingContext.StopAsync"/> waits for the queued batches
    /// to drain before it stops abruptly (Spark's <c>gracefulStopTimeout</c>); null, the default,
    /// means ten batch intervals, and at least 10 seconds.
    /// </summary>
    public TimeSpan? GracefulStopTimeout { get; init; }

    /// <summary>
    /// How long an abrupt stop waits for the batch in progress to notice its cancellation; 10
    /// seconds by default. User code that ignores the cancellation (a lambda in an endless loop)
    /// is abandoned then: the context is reported stopped, with a <see cref="BatchFailedException"/>
    /// from <see cref="StreamingContext.AwaitTerminationAsync"/>, and writes no checkpoint after.
    /// </summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether back pressure is on: after every batch a PID controller (Spark 1.5's estimator)
    /// sets the receivers' rate to what the engine processed, lowered further by any backlog,
    /// never above each receiver's <see cref="ReceiverOptions.MaxRatePerSecond"/>. Off by default, as in Spark.
    /// </summary>
    public bool BackPressure { get; init; }

    /// <summary>
    /// Adaptive batching: when set, the engine chooses the batch interval at run time between its
    /// bounds, the smallest at which processing keeps up with the input (Das et al., SoCC 2014),
    /// starting from the interval the context was created with. Null (the default): the interval
    /// changes only through <see cref="StreamingContext.SetBatchIntervalAsync"/>.
    /// </summary>
    public AdaptiveBatchInterval? AdaptiveInterval { get; init; }

    /// <summary>How many partitions a large batch is split into; the number of cores by default.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>The fewest records worth a partition of their own; smaller batches run on one thread.</summary>
    public int MinPartitionSize { get; init; } = 16_384;

    /// <summary>
    /// The shortest batch interval at which a batch's work starts while the batch is still open:
    /// a chain of Where, Select and SelectMany, or a GroupBy over one (unless it sums floating-point
    /// values or joins), that reads a push source directly (an observable, a
    /// <see cref="Sources.PushSource{T}"/>) runs on the thread pool over each run of the
    /// receiver's chunks that are full, and at the boundary only the last chunks remain. Per
    /// batch, nothing checkpointed: the results are a cache the batch uses once; a retried or
    /// replayed batch, or one whose user code threw during eager work, runs the normal way, so
    /// results, order, delivery and failures are as without it. User functions then run before
    /// the boundary (still once per record per batch attempt). 100 ms by default: below it a
    /// batch's work is already short next to its interval, and a run starts per 64 Ki records, so
    /// at a few million records per second a 10 ms batch would be one or two runs;
    /// <see cref="TimeSpan.MaxValue"/> turns it off. Read when the context starts.
    /// </summary>
    public TimeSpan EagerWorkMinInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How long <see cref="StreamingContext.StartAsync"/> waits for each transactional output's
    /// last commit (<see cref="ITransactionalSink.ReadLastCommitAsync"/>) before it fails; 30 seconds by default.
    /// </summary>
    public TimeSpan SinkCommitReadTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Where the context logs: lifecycle (start, stop, a graceful stop turned abrupt), batch
    /// failures and retries, source errors, records dropped, checkpoint fallbacks and recoveries,
    /// listener failures; each with a fixed event id (see docs/operations.md). Nothing is logged
    /// when null (the default). Messages and logged exceptions never hold passwords or connection
    /// strings: a <c>password=</c>, <c>pwd=</c> or URI user-info secret is masked first.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>
    /// The job's name: the <c>job</c> tag on every metric and span, the name in log scopes and on
    /// the dashboard. The entry assembly's name when null.
    /// </summary>
    public string? JobName { get; init; }
}
