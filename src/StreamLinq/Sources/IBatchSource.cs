namespace StreamLinq.Sources;

/// <summary>
/// An input of the context. At every batch time the job generator seals it: the records that
/// arrived in the interval (a push source) or the offset range the batch covers (a pull source).
/// </summary>
internal interface IBatchSource
{
    /// <summary>A name for messages and plans, e.g. <c>SocketTextStream(127.0.0.1:9999)</c>.</summary>
    string Name { get; }

    /// <summary>Whether a sealed batch can be read again after a crash (an offset range, not buffered records).</summary>
    bool IsReplayable { get; }

    /// <summary>Whether records have arrived that no sealed batch holds yet; answered without calling out (true when unknown).</summary>
    bool HasPending { get; }

    /// <summary>Begins receiving. Called once, when the context starts.</summary>
    void Start(SourceContext context);

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

/// <summary>The typed form of <see cref="IBatchSource"/>.</summary>
internal interface IBatchSource<T> : IBatchSource
{
}

/// <summary>One batch's share of one source, read when the batch is processed.</summary>
internal interface ISealedInput
{
    /// <summary>
    /// Reads the records (a <c>T[]</c>); throws with the source's name if they cannot be read (a
    /// <see cref="SourceException"/> with <see cref="SourceException.IsTransient"/> when a retry
    /// may succeed). May be called again after a failure (a retry of the batch); once it has
    /// returned, it returns the same records.
    /// </summary>
    ValueTask<Array> ReadAsync(CancellationToken cancellationToken);
}

/// <summary>Records already in memory: what a receiver sealed.</summary>
internal sealed class SealedRecords(Array records) : ISealedInput
{
    public ValueTask<Array> ReadAsync(CancellationToken cancellationToken) => ValueTask.FromResult(records);
}

/// <summary>A source that failed for good: every batch that reads it fails with the error.</summary>
internal sealed class FailedInput(SourceException error) : ISealedInput
{
    public ValueTask<Array> ReadAsync(CancellationToken cancellationToken) => ValueTask.FromException<Array>(error);
}

/// <summary>What the context gives a source when it starts.</summary>
internal sealed class SourceContext(Action<string, Exception> reportError, CancellationToken stopping, string? writeAheadLogDirectory = null)
{
    /// <summary>Where this source may keep a write-ahead log; null when the context does not checkpoint.</summary>
    public string? WriteAheadLogDirectory { get; } = writeAheadLogDirectory;

    /// <summary>
    /// How many checkpoints the store keeps: a write-ahead log keeps a completed segment until this
    /// many newer checkpoints no longer need it, so that a fallback to the oldest kept one finds it.
    /// </summary>
    public int RetainedCheckpoints { get; init; } = new CheckpointOptions().RetainedCheckpoints;

    /// <summary>
    /// How many checkpoints this run has written to disk: an attempt that failed (and was retried)
    /// wrote none, so it must not count towards <see cref="RetainedCheckpoints"/>.
    /// </summary>
    public Func<long> CheckpointsWritten { get; init; } = () => 0;

    /// <summary>Delivers <see cref="IStreamingListener.OnRecordsDropped"/>; none in contexts that do not listen.</summary>
    public Action<RecordsDropped>? RecordsDroppedListener { get; init; }

    /// <summary>Reports an error the source recovers from by itself.</summary>
    public void ReportError(string source, Exception error) => reportError(source, error);

    /// <summary>
    /// Reports input left out (counted in the metrics, tagged with <paramref name="reason"/>, a short
    /// fixed code such as <c>invalid-utf8</c>) to the listeners, and as a source error too, so that a
    /// listener that only watches source errors still sees it.
    /// </summary>
    public void ReportDropped(RecordsDropped dropped, string reason)
    {
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
        reportError(dropped.Source, new SourceException(dropped.Source, $"{dropped.Location}: {dropped.Reason}", dropped.Error));
    }

    /// <summary>The job's name, the <c>job</c> tag of the source's metrics.</summary>
    internal string Job { get; init; } = "";

    /// <summary>Cancelled when the context stops.</summary>
    public CancellationToken Stopping { get; } = stopping;
}
