using System.Text.Json;
using System.Threading.RateLimiting;

namespace StreamLinq.Sources;

/// <summary>
/// The store of a push source: records arrive on the producer's thread and wait here, under a
/// rate limit and a capacity bound, until the job generator seals them into a batch.
/// </summary>
/// <remarks>
/// With <see cref="ReceiverOptions.WriteAheadLog"/> every record is appended to a log in the
/// checkpoint directory before it is acknowledged, and each sealed batch is a log segment: the
/// batch can be replayed, and records received after the last seal survive the driver's death.
/// </remarks>
internal sealed class Receiver<T> : IDisposable
{
    private readonly Lock _gate = new();
    private readonly int _capacity;
    private readonly bool _logRequested;
    private readonly HashSet<long> _referencedSegments = [];
    private ReceiverWriteAheadLog<T>? _log;
    private long _position;
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
        _maxRate = options.MaxRatePerSecond;
        if (_maxRate is { } rate)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(rate, 0, nameof(options.MaxRatePerSecond));
            _rate = CreateLimiter(rate);
        }
    }

    /// <summary>The configured ceiling; back pressure may set a lower rate, never a higher one.</summary>
    public double? MaxRatePerSecond => _maxRate;

    /// <summary>Sets the rate the receiver accepts records at (back pressure), capped by the configured maximum.</summary>
    public void SetRate(double recordsPerSecond)
    {
        var rate = _maxRate is { } max ? Math.Min(recordsPerSecond, max) : recordsPerSecond;
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
        if (!_logRequested)
        {
            return;
        }

        var directory = context.WriteAheadLogDirectory
            ?? throw new InvalidOperationException($"{source}: {nameof(ReceiverOptions)}.{nameof(ReceiverOptions.WriteAheadLog)} needs a checkpoint directory: create the context with StreamingContext.GetOrCreate.");
        lock (_gate)
        {
            _log = new ReceiverWriteAheadLog<T>(directory, _position, _referencedSegments, out var unsealed);
            _current.InsertRange(0, unsealed);
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
        long segment;
        lock (_gate)
        {
            records = Seal();
            segment = _log.Seal();
            _position = _log.Open;
        }

        count = records.Length;
        return new SealedSegment(this, segment, records);
    }

    /// <summary>The receiver's position for a checkpoint: the next log segment to seal.</summary>
    public void WriteState(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteNumber("nextSegment", _position);
        writer.WriteEndObject();
    }

    public void ReadState(JsonElement state, int version)
    {
        if (version != 1 || !state.TryGetProperty("nextSegment", out var next) || !next.TryGetInt64(out _position))
        {
            throw new InvalidDataException($"A receiver's checkpointed position is malformed (version {version}).");
        }
    }

    public void WriteRange(ISealedInput input, Utf8JsonWriter writer)
    {
        if (input is SealedSegment sealedSegment)
        {
            writer.WriteStartObject();
            writer.WriteNumber("segment", sealedSegment.Segment);
            writer.WriteNumber("count", sealedSegment.Count);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    public ISealedInput ReadRange(JsonElement range)
    {
        if (!range.TryGetProperty("segment", out var segment) || !range.TryGetProperty("count", out var count))
        {
            throw new InvalidDataException("A pending batch's write-ahead log segment is malformed.");
        }

        _referencedSegments.Add(segment.GetInt64());
        return new SealedSegment(this, segment.GetInt64(), null, count.GetInt32());
    }

    /// <summary>Deletes the log segment of a batch a checkpoint has committed.</summary>
    public void Acknowledge(ISealedInput input)
    {
        if (input is SealedSegment sealedSegment)
        {
            _log?.Delete(sealedSegment.Segment);
        }
    }

    public void Dispose()
    {
        _rate?.Dispose();
        _log?.Dispose();
    }

    /// <summary>A batch's log segment: the records sealed, or read back from the segment after a restart.</summary>
    private sealed class SealedSegment(Receiver<T> receiver, long segment, T[]? records, int? count = null) : ISealedInput
    {
        public long Segment => segment;

        public int Count => records?.Length ?? count ?? 0;

        public ValueTask<Array> ReadAsync(CancellationToken cancellationToken)
        {
            if (records is not null)
            {
                return ValueTask.FromResult<Array>(records);
            }

            var log = receiver._log ?? throw new InvalidOperationException("The write-ahead log is not open.");
            var read = ReceiverWriteAheadLog<T>.Read(log.PathOf(segment));
            if (read.Count != Count)
            {
                throw new InvalidDataException($"The write-ahead log segment '{log.PathOf(segment)}' holds {read.Count} records; its batch had {Count}.");
            }

            return ValueTask.FromResult<Array>(read.ToArray());
        }
    }
}

/// <summary>A record was offered to a receiver that had stopped; it was not accepted.</summary>
internal sealed class ReceiverClosedException() : InvalidOperationException("The receiver has stopped; the record was not accepted.");
