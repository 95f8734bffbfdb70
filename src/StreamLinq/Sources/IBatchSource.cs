namespace StreamLinq.Sources;

/// <summary>
/// An input of the context: the lowest-level source contract of the connector SDK. At every
/// batch time the job generator seals it: the records that arrived in the interval (a push
/// source) or the offset range the batch covers (a pull source). Add one to a context with
/// <see cref="StreamingContext.AddInput{T}"/>.
/// </summary>
/// <remarks>
/// <para>Most connectors do not implement this directly: a push source derives from
/// <see cref="PushSource{T}"/>, a replayable pull source implements
/// <see cref="IOffsetRangeSource"/> (see docs/connectors.md). A source that implements only this
/// interface is not replayable: a batch pending at a crash is lost, which is at most once.</para>
/// <para>Threading: <see cref="Seal"/> is called on the batch generator's thread, one batch time
/// at a time in order; <see cref="ISealedInput.ReadAsync"/> on the runner, batches in order.
/// <see cref="StartAsync"/> and <see cref="StopAsync"/> are each called once.</para>
/// </remarks>
public interface IBatchSource
{
    /// <summary>A name for messages and plans, e.g. <c>SocketTextStream(127.0.0.1:9999)</c>.</summary>
    string Name { get; }

    /// <summary>Whether a sealed batch can be read again after a crash (an offset range, not buffered records).</summary>
    bool IsReplayable { get; }

    /// <summary>Whether records have arrived that no sealed batch holds yet; answered without calling out (true when unknown).</summary>
    bool HasPending { get; }

    /// <summary>
    /// Begins receiving. Called once, when the context starts, before the first batch is sealed;
    /// the context's start waits for the returned task, so a source that must reach a server to
    /// find its position does it here, asynchronously, and fails the start by faulting the task.
    /// </summary>
    /// <param name="context">What the context gives the source for its whole run.</param>
    /// <param name="cancellationToken">Cancels the start (the token given to <c>StartAsync</c>); not the run, see <see cref="SourceContext.Stopping"/>.</param>
    Task StartAsync(SourceContext context, CancellationToken cancellationToken);

    /// <summary>Stops receiving; records already received stay available to <c>Seal</c>.</summary>
    Task StopAsync();

    /// <summary>
    /// Seals the input of the batch at <paramref name="time"/>. Called in batch order, on the
    /// generator's thread: it must not call out to a server (a pull source that needs one
    /// returns an input that resolves its range in <see cref="ISealedInput.ReadAsync"/>, which
    /// the runner calls in batch order), so that the generator always sees a stop request.
    /// </summary>
    ISealedInput Seal(BatchTime time);
}

/// <summary>
/// The typed form of <see cref="IBatchSource"/>: every <see cref="ISealedInput"/> it seals reads
/// a <c>T[]</c> (and a <see cref="BatchRecords{T}"/>).
/// </summary>
/// <typeparam name="T">The type of the records.</typeparam>
public interface IBatchSource<T> : IBatchSource
{
}

/// <summary>
/// One batch's share of one source, read when the batch is processed: the records already
/// received (a push source) or an offset range read when the batch runs (a pull source).
/// </summary>
public interface ISealedInput
{
    /// <summary>
    /// Reads the records (a <c>T[]</c>); throws with the source's name if they cannot be read (a
    /// <see cref="SourceException"/> with <see cref="SourceException.IsTransient"/> when a retry
    /// may succeed). May be called again after a failure (a retry of the batch); once it has
    /// returned, it returns the same records.
    /// </summary>
    /// <param name="cancellationToken">Cancelled when the batch times out or the context stops without grace.</param>
    /// <returns>The batch's records of this source, as a <c>T[]</c> of the source's record type.</returns>
    ValueTask<Array> ReadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Reads the records as the segments they arrived in, without copying them into one array:
    /// what the engine calls. The same contract as <see cref="ReadAsync"/> (errors, retries: once
    /// it has returned, it returns the same <see cref="BatchRecords"/>), and the batch owns the
    /// segments until it releases them (<see cref="BatchRecords{T}"/>). By default the one array
    /// <see cref="ReadAsync"/> returns, as one segment; a source that holds its records in several
    /// buffers (pooled chunks, a client's receive buffers) overrides this to hand them over as
    /// they are, and then <see cref="ReadAsync"/> may copy them into one array.
    /// </summary>
    /// <param name="cancellationToken">Cancelled when the batch times out or the context stops without grace.</param>
    /// <returns>The batch's records of this source, a <see cref="BatchRecords{T}"/> of the source's record type.</returns>
    async ValueTask<BatchRecords> ReadRecordsAsync(CancellationToken cancellationToken) =>
        BatchRecords.Of(await ReadAsync(cancellationToken).ConfigureAwait(false));
}

/// <summary>Records already in memory, handed to the batch as they are.</summary>
internal sealed class SealedRecords(BatchRecords records) : ISealedInput
{
    public ValueTask<Array> ReadAsync(CancellationToken cancellationToken) => ValueTask.FromResult(records.ToArray());

    public ValueTask<BatchRecords> ReadRecordsAsync(CancellationToken cancellationToken) => ValueTask.FromResult(records);
}

/// <summary>A source that failed for good: every batch that reads it fails with the error.</summary>
internal sealed class FailedInput(SourceException error) : ISealedInput
{
    public ValueTask<Array> ReadAsync(CancellationToken cancellationToken) => ValueTask.FromException<Array>(error);

    public ValueTask<BatchRecords> ReadRecordsAsync(CancellationToken cancellationToken) => ValueTask.FromException<BatchRecords>(error);
}

/// <summary>
/// What the context gives a source when it starts: where to report errors and dropped input, and
/// a token cancelled when the context stops. Created by the engine only.
/// </summary>
public sealed class SourceContext
{
    private readonly Action<string, Exception> _reportError;

    internal SourceContext(Action<string, Exception> reportError, CancellationToken stopping, string? writeAheadLogDirectory = null)
    {
        _reportError = reportError;
        Stopping = stopping;
        WriteAheadLogDirectory = writeAheadLogDirectory;
    }

    /// <summary>Where this source may keep a write-ahead log; null when the context does not checkpoint.</summary>
    internal string? WriteAheadLogDirectory { get; }

    /// <summary>
    /// How many checkpoints the store keeps: a write-ahead log keeps a completed segment until this
    /// many newer checkpoints no longer need it, so that a fallback to the oldest kept one finds it.
    /// </summary>
    internal int RetainedCheckpoints { get; init; } = new CheckpointOptions().RetainedCheckpoints;

    /// <summary>
    /// How many checkpoints this run has written to disk: an attempt that failed (and was retried)
    /// wrote none, so it must not count towards <see cref="RetainedCheckpoints"/>.
    /// </summary>
    internal Func<long> CheckpointsWritten { get; init; } = () => 0;

    /// <summary>
    /// The context's batch interval in force now (it changes at a batch boundary under
    /// <see cref="StreamingContext.SetBatchIntervalAsync"/> or adaptive batching): a receiver
    /// without a configured bound holds records without one while seals come on time.
    /// </summary>
    public TimeSpan BatchInterval
    {
        get => IntervalInForce?.Invoke() ?? _batchInterval;
        init => _batchInterval = value;
    }

    private readonly TimeSpan _batchInterval;

    /// <summary>Reads the interval in force; set by the context, which may change it at run time.</summary>
    internal Func<TimeSpan>? IntervalInForce { get; init; }

    /// <summary>Delivers <see cref="IStreamingListener.OnReceiverBlocked"/>; none in contexts that do not listen.</summary>
    public Action<ReceiverBlocked>? ReceiverBlockedListener { get; init; }

    /// <summary>Delivers <see cref="IStreamingListener.OnRecordsDropped"/>; none in contexts that do not listen.</summary>
    internal Action<RecordsDropped>? RecordsDroppedListener { get; init; }

    /// <summary>
    /// Reports an error the source recovers from by itself (a reconnection, a record it could
    /// not decode): it reaches <see cref="IStreamingListener.OnSourceError"/> and fails no batch.
    /// An error a batch must fail with is thrown from <see cref="ISealedInput.ReadAsync"/> instead.
    /// </summary>
    /// <param name="source">The source's <see cref="IBatchSource.Name"/>.</param>
    /// <param name="error">What went wrong.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public void ReportError(string source, Exception error)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(error);
        _reportError(source, error);
    }

    /// <summary>
    /// Reports input left out (counted in the metrics, tagged with <paramref name="reason"/>, a short
    /// fixed code such as <c>invalid-utf8</c>) to the listeners, and as a source error too, so that a
    /// listener that only watches source errors still sees it.
    /// </summary>
    /// <param name="dropped">What was left out, and where.</param>
    /// <param name="reason">A short fixed code for the metric tag.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public void ReportDropped(RecordsDropped dropped, string reason)
    {
        ArgumentNullException.ThrowIfNull(dropped);
        ArgumentNullException.ThrowIfNull(reason);
        var tags = new System.Diagnostics.TagList { { "job", Job }, { "source", dropped.Source }, { "reason", reason } };
        if (dropped.Records is { } records)
        {
            Monitoring.StreamingMetrics.RecordsDropped.Add(records, tags);
        }

        if (dropped.Bytes is { } bytes)
        {
            Monitoring.StreamingMetrics.BytesDropped.Add(bytes, tags);
        }

        RecordsDroppedListener?.Invoke(dropped);
        _reportError(dropped.Source, new SourceException(dropped.Source, $"{dropped.Location}: {dropped.Reason}", dropped.Error));
    }

    /// <summary>
    /// The context's clock (<see cref="StreamingOptions.TimeProvider"/>): a source measures its
    /// delays and time-outs on it, so that a test's fake clock drives them too.
    /// </summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The job's name, the <c>job</c> tag of the source's metrics.</summary>
    internal string Job { get; init; } = "";

    /// <summary>Cancelled when the context stops.</summary>
    public CancellationToken Stopping { get; }
}
