using System.Text.Json;
using System.Threading.RateLimiting;

namespace StreamLinq.Sources;

/// <summary>
/// The store of a push source: records arrive on the producer's thread and wait here, under a
/// rate limit and a capacity bound, until the job generator seals them into a batch.
/// </summary>
/// <remarks>
/// With <see cref="ReceiverOptions.WriteAheadLog"/> every record is appended to a log in the
/// checkpoint directory before it is acknowledged, and each sealed batch is a run of log segments
/// (one, or several right after a restart): the batch can be replayed, and records received after
/// the last seal survive the driver's death. Segments are kept until every retained checkpoint is
/// past them.
/// </remarks>
internal sealed class Receiver<T> : IDisposable, Monitoring.IReceiverGauges
{
    private readonly Lock _gate = new();
    private readonly int _capacity;
    private readonly bool _logRequested;
    private readonly HashSet<long> _referencedSegments = [];
    private readonly BadRecordPolicy _damagedLogPolicy;
    private readonly Queue<(long Segment, long AcknowledgedAt)> _acknowledged = new();
    private ReceiverWriteAheadLog<T>? _log;
    private long _position;
    private bool _restored;
    private string? _source;
    private bool _legacyPosition;
    private Func<long> _checkpointsWritten = () => 0;
    private int _retainedCheckpoints = new CheckpointOptions().RetainedCheckpoints;
    private readonly double? _maxRate;
    private RateLimiter? _rate;
    private SourceException? _failure;
    private bool _closed;
    private List<T> _current = [];
    private TaskCompletionSource _sealed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Receiver(ReceiverOptions? options)
    {
        options ??= new ReceiverOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BufferCapacity, 1, nameof(options.BufferCapacity));
        _capacity = options.BufferCapacity;
        _logRequested = options.WriteAheadLog;
        _damagedLogPolicy = options.DamagedLogPolicy;
        _maxRate = options.MaxRatePerSecond;
        if (_maxRate is { } rate)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(rate, 0, nameof(options.MaxRatePerSecond));
            _rate = CreateLimiter(rate);
            RateLimit = rate;
        }
    }

    /// <summary>The configured ceiling; back pressure may set a lower rate, never a higher one.</summary>
    public double? MaxRatePerSecond => _maxRate;

    public int Capacity => _capacity;

    public int Buffered => Pending;

    public double? RateLimit { get; private set; }

    /// <summary>Sets the rate the receiver accepts records at (back pressure), capped by the configured maximum.</summary>
    public void SetRate(double recordsPerSecond)
    {
        var rate = _maxRate is { } max ? Math.Min(recordsPerSecond, max) : recordsPerSecond;
        RateLimit = rate;
        var previous = Interlocked.Exchange(ref _rate, CreateLimiter(rate));
        previous?.Dispose();
    }

    private static TokenBucketRateLimiter CreateLimiter(double rate)
    {
        // Refill every 10 ms so that the limit is smooth within a batch, not a burst per second.
        var perPeriod = Math.Max(1, (int)Math.Ceiling(rate / 100));
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = perPeriod,
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(10),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _current.Count;
            }
        }
    }

    /// <summary>Stores one record, waiting for the rate limit and for room in the buffer.</summary>
    public async ValueTask StoreAsync(T record, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _rate) is { } limiter)
        {
            try
            {
                using var lease = await limiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // Back pressure replaced the limiter while this record waited; the new one applies from the next record.
            }
        }

        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (_closed)
                {
                    Monitoring.StreamingMetrics.RecordsRefused.Add(1, new KeyValuePair<string, object?>("source", _source ?? "receiver"));
                    throw new ReceiverClosedException();
                }

                if (_current.Count < _capacity)
                {
                    _log?.Append(record);
                    _current.Add(record);
                    return;
                }

                wait = _sealed.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stores one record from a synchronous producer (an Rx observer), blocking it while limited.</summary>
    public void Store(T record, CancellationToken cancellationToken)
    {
        var pending = StoreAsync(record, cancellationToken);
        if (!pending.IsCompletedSuccessfully)
        {
            pending.AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Takes every stored record, in arrival order.</summary>
    public T[] Seal()
    {
        T[] records;
        TaskCompletionSource released;
        lock (_gate)
        {
            records = [.. _current];
            _current = [];
            released = _sealed;
            _sealed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        released.TrySetResult();
        return records;
    }

    /// <summary>Whether the records go through a write-ahead log, which makes sealed batches replayable.</summary>
    public bool IsLogged => _logRequested;

    /// <summary>
    /// Opens the write-ahead log when one was asked for, loading back the records acknowledged
    /// but not sealed before a crash. Called when the source starts, after any restore.
    /// </summary>
    /// <exception cref="InvalidOperationException">A log was asked for but the context does not checkpoint.</exception>
    public void OpenLog(SourceContext context, string source)
    {
        _source = source;
        if (!_logRequested)
        {
            return;
        }

        var directory = context.WriteAheadLogDirectory
            ?? throw new InvalidOperationException($"{source}: {nameof(ReceiverOptions)}.{nameof(ReceiverOptions.WriteAheadLog)} needs a checkpoint directory: create the context with StreamingContext.GetOrCreate.");
        _retainedCheckpoints = context.RetainedCheckpoints;
        _checkpointsWritten = context.CheckpointsWritten;
        lock (_gate)
        {
            _log = new ReceiverWriteAheadLog<T>(directory, source, _restored ? _position : null, !_legacyPosition, _referencedSegments, _damagedLogPolicy, context.ReportDropped, out var unsealed);
            _current.InsertRange(0, unsealed);
            _position = _log.Start;
            foreach (var completed in _log.Completed)
            {
                _acknowledged.Enqueue((completed, 0));
            }
        }
    }

    /// <summary>Takes every stored record as a batch's input: a log segment when logged, the records otherwise.</summary>
    /// <summary>
    /// Stops accepting records, for a graceful stop: producers waiting for room or for the rate
    /// limit give up, and a record offered from now on is refused with
    /// <see cref="ReceiverClosedException"/>. What was stored stays for the final seal.
    /// </summary>
    public void Close()
    {
        TaskCompletionSource released;
        lock (_gate)
        {
            _closed = true;
            released = _sealed;
        }

        released.TrySetResult();
        Interlocked.Exchange(ref _rate, null)?.Dispose();
    }

    /// <summary>
    /// Records that the producer failed for good: once the records already stored have been
    /// sealed, every later batch fails with <paramref name="error"/>, which names the source.
    /// </summary>
    public void Fail(SourceException error) => Volatile.Write(ref _failure, error);

    /// <summary>Seals the stored records as the next batch's input; a failed producer's error once they are all sealed.</summary>
    public ISealedInput SealInput(out int count)
    {
        var input = SealStored(out count);
        return count == 0 && Volatile.Read(ref _failure) is { } failure ? new FailedInput(failure) : input;
    }

    private ISealedInput SealStored(out int count)
    {
        if (_log is null)
        {
            var all = Seal();
            count = all.Length;
            return new SealedRecords(all);
        }

        T[] records;
        List<SegmentSeal> segments;
        lock (_gate)
        {
            records = Seal();
            segments = _log.Seal();
            _position = _log.Open;
        }

        count = records.Length;
        return new SealedSegments(this, segments, records);
    }

    /// <summary>The format of <see cref="WriteState"/>; version 1 positions came from logs that created segments lazily.</summary>
    public const int StateVersion = 2;

    /// <summary>
    /// The receiver's position for a checkpoint: the first log segment in no sealed batch. Called
    /// once per checkpoint, which is also when segments that enough newer checkpoints no longer
    /// need are deleted.
    /// </summary>
    public void WriteState(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteNumber("nextSegment", _position);
        writer.WriteEndObject();
        DeleteSegmentsNoCheckpointNeeds();
    }

    public void ReadState(JsonElement state, int version)
    {
        if (version is not (1 or StateVersion) || !state.TryGetProperty("nextSegment", out var next) || !next.TryGetInt64(out _position))
        {
            throw new InvalidDataException($"A receiver's checkpointed position is malformed (version {version}).");
        }

        _restored = true;
        _legacyPosition = version == 1;
    }

    public void WriteRange(ISealedInput input, Utf8JsonWriter writer)
    {
        if (input is SealedSegments sealedSegments)
        {
            writer.WriteStartObject();
            writer.WriteStartArray("segments");
            foreach (var seal in sealedSegments.Segments)
            {
                writer.WriteStartObject();
                writer.WriteNumber("segment", seal.Segment);
                writer.WriteNumber("count", seal.Count);
                writer.WriteString("sha256", seal.Hash);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    public ISealedInput ReadRange(JsonElement range)
    {
        try
        {
            List<SegmentSeal> seals = range.TryGetProperty("segments", out var segments)
                ? [.. segments.EnumerateArray().Select(s => new SegmentSeal(s.GetProperty("segment").GetInt64(), s.GetProperty("count").GetInt32(), s.GetProperty("sha256").GetString() ?? ""))]
                : [new SegmentSeal(range.GetProperty("segment").GetInt64(), range.GetProperty("count").GetInt32(), "")];
            _referencedSegments.UnionWith(seals.Select(s => s.Segment));
            return new SealedSegments(this, seals, null);
        }
        catch (Exception error) when (error is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException("A pending batch's write-ahead log segments are malformed.", error);
        }
    }

    /// <summary>
    /// A checkpoint has committed the batch: its segments are deleted once as many newer checkpoints
    /// as the store keeps have been written, so that a fallback to any kept checkpoint still finds them.
    /// </summary>
    public void Acknowledge(ISealedInput input)
    {
        if (input is SealedSegments sealedSegments)
        {
            lock (_gate)
            {
                foreach (var seal in sealedSegments.Segments)
                {
                    _acknowledged.Enqueue((seal.Segment, _checkpointsWritten()));
                }
            }
        }
    }

    /// <summary>
    /// Checkpoint number <c>n</c> (of those this run wrote to disk, counting from 1) is being
    /// written, so those before it are on disk; attempts that failed count for nothing. A segment
    /// acknowledged after checkpoint <c>a</c> is needed by no checkpoint from <c>a</c> on; once
    /// <c>a + retained - 1</c> is on disk, every kept checkpoint is past it.
    /// </summary>
    private void DeleteSegmentsNoCheckpointNeeds()
    {
        lock (_gate)
        {
            var writing = _checkpointsWritten() + 1;
            while (_acknowledged.TryPeek(out var done) && done.AcknowledgedAt + _retainedCheckpoints <= writing)
            {
                _acknowledged.Dequeue();
                _log?.Delete(done.Segment);
            }
        }
    }

    public void Dispose()
    {
        _rate?.Dispose();
        _log?.Dispose();
    }

    /// <summary>A batch's log segments: the records sealed, or read back and verified from the segments after a restart.</summary>
    private sealed class SealedSegments(Receiver<T> receiver, IReadOnlyList<SegmentSeal> segments, T[]? records) : ISealedInput
    {
        public IReadOnlyList<SegmentSeal> Segments => segments;

        public ValueTask<Array> ReadAsync(CancellationToken cancellationToken)
        {
            if (records is not null)
            {
                return ValueTask.FromResult<Array>(records);
            }

            var log = receiver._log ?? throw new InvalidOperationException("The write-ahead log is not open.");
            try
            {
                return ValueTask.FromResult<Array>(segments.SelectMany(log.ReadSealed).ToArray());
            }
            catch (InvalidDataException error)
            {
                throw new SourceException(receiver._source ?? "a receiver", error.Message, error);
            }
        }
    }
}

/// <summary>A record was offered to a receiver that had stopped; it was not accepted.</summary>
internal sealed class ReceiverClosedException() : InvalidOperationException("The receiver has stopped; the record was not accepted.");
