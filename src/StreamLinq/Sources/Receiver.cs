using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using StreamLinq.Monitoring;

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
    private readonly Lock _sealGate = new();
    private readonly Lock _logGate = new();
    private readonly Lock _writersGate = new();
    private readonly int _capacity;
    private readonly bool _fixedCapacity;
    private readonly int _handOffSlots;
    private readonly Channel<ReceiverChunk<T>> _handOff;
    private readonly ConcurrentQueue<ReceiverChunk<T>> _overflow = new();
    private readonly List<ReceiverChunk<T>> _carried = [];
    private readonly ReceiverWriter<T> _shared;
    private readonly CancellationTokenSource _closing = new();
    private readonly bool _logRequested;
    private readonly HashSet<long> _referencedSegments = [];
    private readonly BadRecordPolicy _damagedLogPolicy;
    private readonly Queue<(long Segment, long AcknowledgedAt)> _acknowledged = new();
    private readonly double? _maxRate;
    private ReceiverWriter<T>[] _writers = [];
    private IFullChunkListener<T>[] _fullChunkListeners = [];
    private T[] _unsealed = [];
    private ReceiverWriteAheadLog<T>? _log;
    private long _position;
    private bool _positionRestored;
    private string? _source;
    private SourceContext? _context;
    private bool _legacyPosition;
    private Func<long> _checkpointsWritten = () => 0;
    private int _retainedCheckpoints = new CheckpointOptions().RetainedCheckpoints;
    private ReceiverRateLimit? _rate;
    private TimeProvider _time = TimeProvider.System;
    private SourceException? _failure;
    private volatile bool _closed;
    private volatile bool _refusing;
    private bool _lastSealLate;
    private long _lastSeal = TimeProvider.System.GetTimestamp();
    private long _sealEpoch;
    private long _dropped;
    private long _blockedTicks;
    private long _bufferFullReported = -1;
    private long _rateLimitReported = -1;
    private TaskCompletionSource _sealed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>1 once a producer took <see cref="NextSeal"/> since the last seal: only then does a seal make the next task.</summary>
    private int _sealWatched;

    public Receiver(ReceiverOptions? options)
    {
        options ??= new ReceiverOptions();
        if (options.BufferCapacity is { } capacity)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1, nameof(options.BufferCapacity));
        }

        if (!Enum.IsDefined(options.OnFullBuffer))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.OnFullBuffer, $"{nameof(ReceiverOptions)}.{nameof(ReceiverOptions.OnFullBuffer)} is not a {nameof(FullBufferPolicy)}.");
        }

        if (options.WriteAheadLog && options.OnFullBuffer == FullBufferPolicy.DropOldest)
        {
            throw new ArgumentException($"{nameof(ReceiverOptions)}.{nameof(ReceiverOptions.OnFullBuffer)} {nameof(FullBufferPolicy.DropOldest)} cannot be combined with {nameof(ReceiverOptions.WriteAheadLog)}: the records it drops are already in the log.", nameof(options));
        }

        _fixedCapacity = options.BufferCapacity is not null;
        _capacity = options.BufferCapacity ?? ReceiverOptions.DefaultBufferCapacity;
        Policy = options.OnFullBuffer;

        // Chunks small enough that the bound is exact for a single producer: the channel's chunks
        // plus the one being filled never exceed the capacity.
        ChunkLength = Math.Min(ReceiverChunk<T>.DefaultLength, Math.Max(1, _capacity / 4));
        _handOffSlots = (_capacity / ChunkLength) - 1;
        _handOff = Channel.CreateBounded<ReceiverChunk<T>>(new BoundedChannelOptions(Math.Max(1, _handOffSlots))
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
            SingleWriter = false,
        });
        _logRequested = options.WriteAheadLog;
        AcceptsPlainStores = !_logRequested;
        _damagedLogPolicy = options.DamagedLogPolicy;
        _maxRate = options.MaxRatePerSecond;
        if (_maxRate is { } rate)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(rate, 0, nameof(options.MaxRatePerSecond));
            _rate = new ReceiverRateLimit(rate, _time);
        }

        _shared = CreateWriter();
    }

    /// <summary>Records per chunk.</summary>
    internal int ChunkLength { get; }

    /// <summary>Where chunks' arrays come from and go back to once every batch that holds a range of them has released it; set before the first record (tests set a checking pool).</summary>
    internal System.Buffers.ArrayPool<T> Pool { get; set; } = new ChunkPool<T>();

    internal FullBufferPolicy Policy { get; }

    /// <summary>False once stores need the slow path for every record: a log to write, or the receiver closed or refusing.</summary>
    internal bool AcceptsPlainStores { get; private set; }

    internal ReceiverRateLimit? Limit => Volatile.Read(ref _rate);

    /// <summary>The context's clock (the system clock until the source starts): rate-limit waits and overdue seals are measured on it.</summary>
    internal TimeProvider Clock => _time;

    internal bool IsLoggedStore => _log is not null;

    /// <summary>Completes at the next seal (or when the receiver closes): a producer waiting for room waits on it.</summary>
    internal Task NextSeal
    {
        get
        {
            // Read before it is marked watched: a seal between the two completes this task or
            // leaves the mark for the next seal, so a waiter never holds a task no seal completes.
            var next = Volatile.Read(ref _sealed).Task;
            Volatile.Write(ref _sealWatched, 1);
            return next;
        }
    }

    /// <summary>The configured ceiling; back pressure may set a lower rate, never a higher one.</summary>
    public double? MaxRatePerSecond => _maxRate;

    /// <summary>The buffer bound in records (the default's, when none was configured).</summary>
    public int Capacity => _capacity;

    /// <summary>About how many records wait for the next seal (whole chunks), for the buffer-usage gauge.</summary>
    public int Buffered => HasPending ? (int)Math.Min(_capacity, BufferedEstimate()) : 0;

    /// <summary>The rate the receiver accepts now; null when unlimited.</summary>
    public double? RateLimit => Limit?.RatePerSecond;

    /// <summary>
    /// Sets the rate the receiver accepts records at (back pressure), capped by the configured
    /// maximum. The limit is changed in place: producers waiting on it are not disturbed.
    /// </summary>
    public void SetRate(double recordsPerSecond)
    {
        var rate = _maxRate is { } max ? Math.Min(recordsPerSecond, max) : recordsPerSecond;
        if (Volatile.Read(ref _rate) is { } limit)
        {
            limit.SetRate(rate);
        }
        else
        {
            Interlocked.CompareExchange(ref _rate, new ReceiverRateLimit(rate, _time), null)?.SetRate(rate);
        }
    }

    /// <summary>A writer for one producer whose calls never overlap (a pump loop); faster than <see cref="StoreAsync"/>.</summary>
    public ReceiverWriter<T> CreateWriter()
    {
        var writer = new ReceiverWriter<T>(this);
        lock (_writersGate)
        {
            _writers = [.. _writers, writer];
        }

        return writer;
    }

    /// <summary>Whether records are stored that no seal has taken yet.</summary>
    public bool HasPending
    {
        get
        {
            lock (_sealGate)
            {
                if (_unsealed.Length > 0 || _handOff.Reader.Count > 0 || !_overflow.IsEmpty)
                {
                    return true;
                }

                foreach (var writer in Volatile.Read(ref _writers))
                {
                    if (writer.Current is { } chunk && chunk.Count > chunk.Taken)
                    {
                        return true;
                    }
                }

                return _carried.Exists(chunk => chunk.Taken < chunk.Count);
            }
        }
    }

    /// <summary>
    /// Stores one record from any producer, waiting for the rate limit and for room in the
    /// buffer. Producers that call at the same time are served one at a time through one writer (so
    /// each producer's records keep their order); the call of the thread that owns that writer takes no lock and no locked instruction (<see cref="ReceiverWriter{T}.TryStoreAsOwner"/>).
    /// </summary>
    public ValueTask StoreAsync(T record, CancellationToken cancellationToken)
    {
        var writer = _shared;
        if (writer.TryStoreAsOwner(record))
        {
            return default;
        }

        if (!writer.TryEnter())
        {
            return StoreContendedAsync(record, cancellationToken);
        }

        ValueTask pending;
        try
        {
            pending = writer.StoreAsync(record, cancellationToken);
        }
        catch
        {
            Volatile.Write(ref writer.Busy, 0);
            throw;
        }

        if (pending.IsCompletedSuccessfully)
        {
            Volatile.Write(ref writer.Busy, 0);
            return default;
        }

        return LeaveAfterAsync(writer, pending);
    }

    private static async ValueTask LeaveAfterAsync(ReceiverWriter<T> writer, ValueTask pending)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref writer.Busy, 0);
        }
    }

    /// <summary>
    /// Another producer is inside the shared writer: wait for it (spinning briefly, then polling
    /// each millisecond) rather than use a writer of one's own, which would let this producer's
    /// records overtake each other between writers.
    /// </summary>
    private async ValueTask StoreContendedAsync(T record, CancellationToken cancellationToken)
    {
        var writer = _shared;
        var spinner = default(SpinWait);
        while (!writer.TryEnter())
        {
            if (spinner.NextSpinWillYield)
            {
                await Task.Delay(1, cancellationToken).ConfigureAwait(false);
                spinner.Reset();
            }
            else
            {
                spinner.SpinOnce();
            }
        }

        try
        {
            await writer.StoreAsync(record, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref writer.Busy, 0);
        }
    }

    /// <summary>The store of a synchronous producer (an Rx observer) without waiting: true when the record went into the owner's chunk, false when <see cref="Store"/> is needed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryStoreAsOwner(T record) => _shared.TryStoreAsOwner(record);

    /// <summary>Stores one record from a synchronous producer (an Rx observer), blocking it while held back.</summary>
    public void Store(T record, CancellationToken cancellationToken)
    {
        // The common case in a few instructions: the producer's own thread owns the shared writer and its chunk has room.
        var writer = _shared;
        if (writer.TryStoreAsOwner(record))
        {
            return;
        }

        if (writer.TryEnter())
        {
            if (writer.TryStore(record))
            {
                Volatile.Write(ref writer.Busy, 0);
                return;
            }

            try
            {
                var pending = writer.StoreSlowAsync(record, cancellationToken);
                if (!pending.IsCompletedSuccessfully)
                {
                    pending.AsTask().GetAwaiter().GetResult();
                }
            }
            finally
            {
                Volatile.Write(ref writer.Busy, 0);
            }

            return;
        }

        var contended = StoreContendedAsync(record, cancellationToken);
        if (!contended.IsCompletedSuccessfully)
        {
            contended.AsTask().GetAwaiter().GetResult();
        }
    }

    private void CountRefused() =>
        StreamingMetrics.RecordsRefused.Add(1, new TagList { { "job", _context?.Job ?? "" }, { "source", _source ?? "receiver" } });

    internal void ThrowIfRefused()
    {
        if (_closed)
        {
            CountRefused();
            throw new ReceiverClosedException();
        }

        if (_refusing)
        {
            throw new ReceiverFullException(Volatile.Read(ref _failure)!);
        }
    }

    /// <summary>Hands a full chunk to the seal: into the channel, or past its bound while seals are on time and no bound was configured.</summary>
    internal bool TryHandOff(ReceiverChunk<T> chunk)
    {
        if (_handOffSlots > 0 && _handOff.Writer.TryWrite(chunk))
        {
            TellFull(chunk);
            return true;
        }

        if (!_fixedCapacity && !SealOverdueAtLastSeal && !SealOverdue())
        {
            _overflow.Enqueue(chunk);
            TellFull(chunk);
            return true;
        }

        return false;
    }

    /// <summary>
    /// Has <paramref name="listener"/> told of each chunk handed off from now on, on the producer's
    /// thread: eager work reads the full chunks of the batch still open (<c>Execution/EagerChunks</c>).
    /// </summary>
    internal void AddFullChunkListener(IFullChunkListener<T> listener)
    {
        lock (_writersGate)
        {
            _fullChunkListeners = [.. _fullChunkListeners, listener];
        }
    }

    /// <summary>Whether the receiver has stopped (<see cref="Close"/>): eager work then starts no run.</summary>
    internal bool IsClosed => _closed;

    /// <summary>How many seals were made: eager work drops what it computed for chunks no seal took within a few of them.</summary>
    internal long SealEpoch => Volatile.Read(ref _sealEpoch);

    /// <summary>
    /// Where the unsealed part of each of <paramref name="chunks"/> (handed off, so no producer
    /// writes them) starts, read between seals: that part is what the next seal takes whole, so
    /// the ranges are exact and all in one batch. Returns the seals made so far: the ranges are
    /// in the batch of the seal after that many.
    /// </summary>
    internal long Unsealed(Span<int> starts, ReadOnlySpan<ReceiverChunk<T>> chunks)
    {
        lock (_sealGate)
        {
            for (var c = 0; c < chunks.Length; c++)
            {
                starts[c] = chunks[c].Taken;
            }

            return _sealEpoch;
        }
    }

    private void TellFull(ReceiverChunk<T> chunk)
    {
        foreach (var listener in Volatile.Read(ref _fullChunkListeners))
        {
            listener.OnFull(chunk);
        }
    }

    /// <summary>Whether the last seal came more than two batch intervals after the one before it.</summary>
    private bool SealOverdueAtLastSeal
    {
        get => Volatile.Read(ref _lastSealLate);
        set => Volatile.Write(ref _lastSealLate, value);
    }

    /// <summary>No seal for two batch intervals: the engine is behind, so the default bound applies.</summary>
    private bool SealOverdue()
    {
        var overdue = (_context?.BatchInterval.Ticks ?? 0) * 2;
        return overdue == 0 || _time.GetElapsedTime(Volatile.Read(ref _lastSeal)).Ticks > overdue;
    }

    /// <summary>Drops the oldest chunk waiting in the channel to make room; false when none waits.</summary>
    internal bool TryDropOldest()
    {
        if (!_handOff.Reader.TryRead(out var oldest))
        {
            return false;
        }

        var (start, end) = oldest.Claim(oldest.Capacity);
        CountDropped(end - start);
        oldest.Release();
        return true;
    }

    internal void CountDropped(long records) => Interlocked.Add(ref _dropped, records);

    /// <summary>The buffer is full under <see cref="FullBufferPolicy.Fail"/>: the source fails once what it holds is sealed.</summary>
    internal void RefuseFull()
    {
        var failure = new SourceException(_source ?? "a receiver", $"the receiver's buffer is full ({_capacity} records) and {nameof(ReceiverOptions)}.{nameof(ReceiverOptions.OnFullBuffer)} is {nameof(FullBufferPolicy.Fail)}");
        if (Interlocked.CompareExchange(ref _failure, failure, null) is null)
        {
            _context?.ReportError(failure.SourceName, failure);
        }

        _refusing = true;
        AcceptsPlainStores = false;
    }

    internal void AppendLogged(ReceiverChunk<T> chunk, T record)
    {
        lock (_logGate)
        {
            ThrowIfRefused();
            _log!.Append(record);
            chunk.TryAppend(record);
        }
    }

    /// <summary>Waits on <paramref name="wait"/>, visibly: the listener event once per seal interval, and the metrics.</summary>
    internal async ValueTask HoldAsync(ReceiverBlockReason reason, long records, Func<CancellationToken, Task> wait, CancellationToken cancellationToken)
    {
        // Read before the listener hears of the wait: a seal it triggers must count in the wait.
        var started = _time.GetTimestamp();
        var epoch = Volatile.Read(ref _sealEpoch);
        ref var reported = ref reason == ReceiverBlockReason.BufferFull ? ref _bufferFullReported : ref _rateLimitReported;
        var source = _source ?? "a receiver";
        if (Interlocked.Exchange(ref reported, epoch) != epoch && _context?.ReceiverBlockedListener is { } listener)
        {
            listener(new ReceiverBlocked(source, reason, BufferedEstimate(), _capacity, reason == ReceiverBlockReason.RateLimit ? Limit?.RatePerSecond : null));
        }

        var tags = new TagList { { "job", _context?.Job ?? "" }, { "source", source }, { "reason", reason == ReceiverBlockReason.BufferFull ? "buffer-full" : "rate-limit" } };
        StreamingMetrics.RecordsHeldBack.Add(records, tags);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
        try
        {
            await wait(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            CountRefused();
            throw new ReceiverClosedException();
        }
        finally
        {
            var blocked = _time.GetElapsedTime(started);
            StreamingMetrics.ReceiverBlockedTime.Add(blocked.TotalSeconds, tags);
            if (reason == ReceiverBlockReason.BufferFull)
            {
                Interlocked.Add(ref _blockedTicks, blocked.Ticks);
            }
        }
    }

    /// <summary>How long producers were held back by a full buffer since the last call: back pressure's sign that ingest is the bottleneck.</summary>
    public TimeSpan TakeBlockedTime() => TimeSpan.FromTicks(Interlocked.Exchange(ref _blockedTicks, 0));

    private long BufferedEstimate() => ((long)_handOff.Reader.Count + _overflow.Count + 1) * ChunkLength;

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
        _context = context;
        _time = context.TimeProvider;
        Volatile.Read(ref _rate)?.UseClock(_time);
        Volatile.Write(ref _lastSeal, _time.GetTimestamp());
        if (!_logRequested)
        {
            return;
        }

        var directory = context.WriteAheadLogDirectory
            ?? throw new InvalidOperationException($"{source}: {nameof(ReceiverOptions)}.{nameof(ReceiverOptions.WriteAheadLog)} needs a checkpoint directory: create the context with StreamingContext.GetOrCreate (with a store that is not a directory, set CheckpointOptions.WriteAheadLogDirectory).");
        _retainedCheckpoints = context.RetainedCheckpoints;
        _checkpointsWritten = context.CheckpointsWritten;
        lock (_sealGate)
        {
            lock (_logGate)
            {
                _log = new ReceiverWriteAheadLog<T>(directory, source, _positionRestored ? _position : null, !_legacyPosition, _referencedSegments, _damagedLogPolicy, context.ReportDropped, out var unsealed);
                _unsealed = [.. unsealed];
                _position = _log.Start;
                foreach (var completed in _log.Completed)
                {
                    _acknowledged.Enqueue((completed, 0));
                }
            }
        }
    }

    /// <summary>
    /// Stops accepting records, for a graceful stop: producers waiting for room or for the rate
    /// limit give up, and a record offered from now on is refused with
    /// <see cref="ReceiverClosedException"/>. What was stored stays for the final seal.
    /// </summary>
    public void Close()
    {
        _closed = true;
        AcceptsPlainStores = false;
        Volatile.Read(ref _sealed).TrySetResult();
        _closing.Cancel();
    }

    /// <summary>
    /// Records that the producer failed for good: once the records already stored have been
    /// sealed, every later batch fails with <paramref name="error"/>, which names the source.
    /// The first failure wins (a full buffer under <see cref="FullBufferPolicy.Fail"/>, then the producer's reaction to it).
    /// </summary>
    public void Fail(SourceException error) => Interlocked.CompareExchange(ref _failure, error, null);

    /// <summary>Seals the stored records as the next batch's input; a failed producer's error once they are all sealed.</summary>
    public ISealedInput SealInput(out int count)
    {
        ISealedInput input;
        long dropped;
        lock (_sealGate)
        {
            if (_log is null)
            {
                var records = Cut();
                count = records.Count;
                input = records;
            }
            else
            {
                SealedChunks<T> records;
                List<SegmentSeal> segments;
                lock (_logGate)
                {
                    records = Cut();
                    segments = _log.Seal();
                    _position = _log.Open;
                }

                count = records.Count;
                input = new SealedSegments(this, segments, records);
            }

            Interlocked.Increment(ref _sealEpoch);

            // A seal that came late (the engine was behind) keeps the default bound on until seals
            // come on time again: the burst right after a late seal must not outgrow the bound.
            SealOverdueAtLastSeal = SealOverdue();
            Volatile.Write(ref _lastSeal, _time.GetTimestamp());
            if (Interlocked.Exchange(ref _sealWatched, 0) == 1)
            {
                Interlocked.Exchange(ref _sealed, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            }
            dropped = Interlocked.Exchange(ref _dropped, 0);
        }

        if (dropped > 0 && _context is { } context)
        {
            var source = _source ?? "a receiver";
            context.ReportDropped(new RecordsDropped(source, "receiver buffer", $"the buffer was full ({_capacity} records) and {nameof(ReceiverOptions)}.{nameof(ReceiverOptions.OnFullBuffer)} is {Policy}: {dropped} records dropped since the previous batch", dropped, null, BadRecordPolicy.Skip), "buffer-full");
        }

        return count == 0 && Volatile.Read(ref _failure) is { } failure ? new FailedInput(failure) : input;
    }

    /// <summary>
    /// Takes every stored record, each producer's in its order: the chunks it handed off, then
    /// what its current chunk holds so far. Chunks handed off after the look at a producer's
    /// current chunk stay for the next seal, so no record of a producer overtakes an earlier one.
    /// </summary>
    private SealedChunks<T> Cut()
    {
        var writers = Volatile.Read(ref _writers);
        var current = new (ReceiverChunk<T>? Chunk, int Count)[writers.Length];
        for (var i = 0; i < writers.Length; i++)
        {
            var chunk = writers[i].Current;
            current[i] = (chunk, chunk?.Count ?? 0);
        }

        while (_handOff.Reader.TryRead(out var full))
        {
            _carried.Add(full);
        }

        while (_overflow.TryDequeue(out var full))
        {
            _carried.Add(full);
        }

        // In sequence order once, so that each producer's chunks are taken in its order below
        // without sorting (or allocating) per producer: a seal of a large batch carries many.
        _carried.Sort(static (a, b) => a.Sequence.CompareTo(b.Sequence));
        var ranges = new List<ChunkRange<T>>(_carried.Count + writers.Length);
        var count = _unsealed.Length;
        for (var i = 0; i < writers.Length; i++)
        {
            var (chunk, filled) = current[i];
            var writer = writers[i];
            var kept = 0;
            for (var c = 0; c < _carried.Count; c++)
            {
                var full = _carried[c];
                if (!ReferenceEquals(full.Producer, writer) || (chunk is not null && full.Sequence >= chunk.Sequence))
                {
                    _carried[kept++] = full;
                    continue;
                }

                count += Take(full, full.Capacity, ranges);

                // Handed off: no producer writes it any more, so its producer's reference goes.
                full.Release();
            }

            _carried.RemoveRange(kept, _carried.Count - kept);
            if (chunk is not null)
            {
                count += Take(chunk, filled, ranges);
            }
        }

        (Pool as ChunkPool<T>)?.Sealed(ranges.Count);
        var unsealed = _unsealed;
        _unsealed = [];
        return ranges.Count == 0 && unsealed.Length == 0 ? SealedChunks<T>.Empty : new SealedChunks<T>(unsealed, ranges, count);
    }

    private static int Take(ReceiverChunk<T> chunk, int end, List<ChunkRange<T>> ranges)
    {
        if (!chunk.TryAddReference())
        {
            return 0;
        }

        var (start, claimed) = chunk.Claim(end);
        if (claimed == start)
        {
            chunk.Release();
            return 0;
        }

        ranges.Add(new ChunkRange<T>(chunk, start, claimed));
        return claimed - start;
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

        _positionRestored = true;
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
            lock (_sealGate)
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
        lock (_sealGate)
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
        _closing.Dispose();
        _log?.Dispose();
    }

    /// <summary>A batch's log segments: the records sealed, or read back and verified from the segments after a restart.</summary>
    private sealed class SealedSegments(Receiver<T> receiver, IReadOnlyList<SegmentSeal> segments, SealedChunks<T>? records) : ISealedInput
    {
        public IReadOnlyList<SegmentSeal> Segments => segments;

        public ValueTask<Array> ReadAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Read().ToArray());

        public ValueTask<BatchRecords> ReadRecordsAsync(CancellationToken cancellationToken) => ValueTask.FromResult<BatchRecords>(Read());

        private BatchRecords<T> Read()
        {
            if (records is not null)
            {
                return records.Records();
            }

            var log = receiver._log ?? throw new InvalidOperationException("The write-ahead log is not open.");
            try
            {
                return new BatchRecords<T>(segments.SelectMany(log.ReadSealed).ToArray());
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

/// <summary>A record was offered to a receiver whose full buffer failed the source (<see cref="FullBufferPolicy.Fail"/>); it was not accepted.</summary>
internal sealed class ReceiverFullException(SourceException failure) : InvalidOperationException(failure.Message, failure);
