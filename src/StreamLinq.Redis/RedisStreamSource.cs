using System.Text.Json;
using StackExchange.Redis;
using StreamLinq.Sources;

namespace StreamLinq.Redis;

/// <summary>The entries as <see cref="RedisStreamEntry"/> records, fields decoded to strings.</summary>
internal sealed class RedisStreamSource(IConnectionMultiplexer redis, string[] keys, RedisStreamsOptions options)
    : RedisStreamSource<RedisStreamEntry>(redis, keys, options, RedisStreamEntryDecoder.Decode);

/// <summary>
/// Reads Redis streams by id ranges. The position is each stream's last id read. Sealing a batch
/// calls nothing: it fixes only how many entries the batch may take, so that the generator never
/// waits for Redis. The runner resolves the range when it reads the batch, batches in order:
/// the next entries after the position (XRANGE with an exclusive start, in chunks of
/// <see cref="RedisStreamsOptions.ReadChunkSize"/>, each under
/// <see cref="RedisStreamsOptions.OperationTimeout"/>), recorded as the batch's range before any
/// output runs (the pre-output checkpoint makes it durable), so the batch can be read again after
/// a crash. Under back pressure the rate the controller sets caps a batch's entries (never above
/// the configured maximum); a replay still reads exactly the recorded range.
/// </summary>
/// <remarks>
/// Prefetch: once a batch's range is resolved, the next batch's entries are read (and decoded)
/// in the background while the batch runs, so a saturated source costs the runner no round trip.
/// The next resolution takes what was prefetched from its position (a prefix when the rate fell)
/// and tops it up with one more read when it is short, so a batch still holds what the streams
/// held when its turn came. A prefetch that failed is dropped and the read done again.
/// </remarks>
internal class RedisStreamSource<T>(IConnectionMultiplexer redis, string[] keys, RedisStreamsOptions options, Func<string, StreamEntry, T> decode)
    : IBatchSource<T>, IPartitionedSource, IRateControlledSource
{
    private double _rate = double.PositiveInfinity;
    private BatchTime? _lastSeal;

    private readonly Dictionary<string, string?> _lastIds = keys.ToDictionary(k => k, _ => (string?)null, StringComparer.Ordinal);
    private bool _positioned;

    /// <summary>Per stream, the read of the next entries started when the last batch was resolved.</summary>
    private readonly Dictionary<string, Prefetch> _prefetches = new(StringComparer.Ordinal);

    /// <summary>Per stream, the last id the poller saw (<see cref="RedisStreamsOptions.FixRangesWhenSealed"/>).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _lastSeen = new(StringComparer.Ordinal);

    /// <summary>The count of a range fixed when sealed: its entries are known only once read.</summary>
    private const int UncountedEntries = -1;

    private SourceContext? _context;

    /// <summary>
    /// The commits of transactional outputs ahead of the position, oldest first, each as every
    /// stream's last id committed: no batch is cut across one (<see cref="ResumeAfter"/>).
    /// </summary>
    private readonly List<Dictionary<string, string?>> _fences = [];

    public string Name => $"RedisStreams({string.Join(",", keys)})";

    public IReadOnlyList<string> Partitions => keys;

    public bool IsReplayable => true;

    /// <summary>
    /// Always true: finding out would ask Redis on the generator's thread. A graceful stop's
    /// final batch resolves whatever the streams hold then, which may be nothing.
    /// </summary>
    public bool HasPending => true;

    public string StateId => Name;

    public int StateVersion => 1;

    private IDatabase Database => redis.GetDatabase(options.Database);

    /// <summary>The context's clock, which measures <see cref="RedisStreamsOptions.OperationTimeout"/>.</summary>
    private TimeProvider _time = TimeProvider.System;

    public async Task StartAsync(SourceContext context, CancellationToken cancellationToken)
    {
        _context = context;
        _time = context.TimeProvider;
        if (options.ConsumerGroup is { } group)
        {
            await StartGroupAsync(group, cancellationToken).ConfigureAwait(false);
        }
        else if (!_positioned && !options.StartFromBeginning)
        {
            // Only entries added from now on: start after each stream's current last entry.
            foreach (var key in keys)
            {
                var last = await CallAsync(Database.StreamRangeAsync(key, "-", "+", count: 1, messageOrder: Order.Descending), $"reading the last entry of '{key}'", cancellationToken).ConfigureAwait(false);
                _lastIds[key] = last.Length > 0 ? (string?)last[0].Id : null;
            }
        }

        _positioned = true;
        if (options.FixRangesWhenSealed)
        {
            _ = PollLastIdsAsync(context.Stopping);
        }
    }

    /// <summary>
    /// Nothing to release: a prefetch still running ends with the context's stopping token, and
    /// the connection is the caller's.
    /// </summary>
    public Task StopAsync() => Task.CompletedTask;

    /// <summary>
    /// With a consumer group: creates it where missing (at the start or the end of the stream, as
    /// <see cref="RedisStreamsOptions.StartFromBeginning"/> says) and, when no checkpoint or sink
    /// commit placed the source, starts each stream after the group's last delivered id: the
    /// position the broker kept.
    /// </summary>
    private async Task StartGroupAsync(string group, CancellationToken cancellationToken)
    {
        foreach (var key in keys)
        {
            try
            {
                await Database.StreamCreateConsumerGroupAsync(key, group, options.StartFromBeginning ? "0-0" : "$", createStream: true).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (RedisServerException error) when (error.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
            {
                // The group exists: its last delivered id is the broker's position.
            }

            if (!_positioned)
            {
                var groups = await Database.StreamGroupInfoAsync(key).WaitAsync(cancellationToken).ConfigureAwait(false);
                var delivered = groups.FirstOrDefault(g => g.Name == group).LastDeliveredId;
                _lastIds[key] = delivered is null or "0-0" ? null : delivered;
            }
        }

        _positioned = true;
    }

    /// <summary>
    /// With a consumer group, moves the group's last delivered id of each stream to the end of the
    /// committed batch's range (XGROUP SETID), so that the broker shows the job's lag and a start
    /// without a checkpoint resumes there. The commands are pipelined in batch order; a failure is
    /// reported as a source error and repaired by the next acknowledgement.
    /// </summary>
    public void Acknowledge(ISealedInput input)
    {
        if (options.ConsumerGroup is not { } group || ((SealedRange)input).Ranges is not { } ranges)
        {
            return;
        }

        foreach (var range in ranges.Where(r => r.Count != 0))
        {
            Database.ExecuteAsync("XGROUP", "SETID", range.Stream, group, range.Last!).ContinueWith(
                t => _context?.ReportError(Name, new SourceException(Name, $"moving consumer group '{group}' of '{range.Stream}' to {range.Last} failed: {t.Exception!.GetBaseException().Message}", t.Exception) { IsTransient = true }),
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    public void SetRate(double recordsPerSecond) => Interlocked.Exchange(ref _rate, recordsPerSecond);

    public ISealedInput Seal(BatchTime time)
    {
        if (options.FixRangesWhenSealed)
        {
            return SealToLastSeen();
        }

        var perStream = options.MaxEntriesPerBatch;
        var rate = Volatile.Read(ref _rate);
        if (_lastSeal is { } last && !double.IsPositiveInfinity(rate))
        {
            var allowed = Math.Ceiling(rate * (time - last).TotalSeconds / keys.Length);
            perStream = (int)Math.Clamp(allowed, 1, options.MaxEntriesPerBatch);
        }

        _lastSeal = time;
        return new SealedRange(this, perStream);
    }

    /// <summary>
    /// <see cref="RedisStreamsOptions.FixRangesWhenSealed"/>: each stream's range runs from the
    /// position to the last id the poller saw (never past the next commit's fence), its entries
    /// not counted (<see cref="UncountedEntries"/>).
    /// </summary>
    private SealedRange SealToLastSeen()
    {
        var fence = NextFence();
        var ranges = new List<StreamRange>(keys.Length);
        foreach (var key in keys)
        {
            var after = _lastIds[key];
            var last = _lastSeen.TryGetValue(key, out var seen) && CompareIds(seen, after) > 0 ? seen : after;
            if (fence?.GetValueOrDefault(key) is { } until && CompareIds(last, until) > 0)
            {
                last = CompareIds(until, after) > 0 ? until : after;
            }

            ranges.Add(new StreamRange(key, after, last, last == after ? 0 : UncountedEntries));
            _lastIds[key] = last;
        }

        return new SealedRange(this, ranges, null);
    }

    /// <summary>
    /// Keeps <see cref="_lastSeen"/> fresh for <see cref="SealToLastSeen"/>: every stream's last
    /// id, pipelined, about every 10 ms until the context stops. A failed poll is reported as a
    /// transient source error; the batches then take what was seen before.
    /// </summary>
    private async Task PollLastIdsAsync(CancellationToken stopping)
    {
        var period = TimeSpan.FromMilliseconds(10);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var reads = keys.Select(key => Database.StreamRangeAsync(key, "-", "+", count: 1, messageOrder: Order.Descending)).ToArray();
                for (var i = 0; i < keys.Length; i++)
                {
                    var last = await CallAsync(reads[i], $"reading the last id of '{keys[i]}'", stopping).ConfigureAwait(false);
                    if (last.Length > 0)
                    {
                        _lastSeen[keys[i]] = last[0].Id!;
                    }
                }

                await Task.Delay(period, _time, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SourceException error)
            {
                // Reported, then tried again a period later: a server that refuses at once must not spin the poller.
                _context?.ReportError(Name, error);
                await Task.Delay(period, _time, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Resolves an unresolved batch: reads up to <paramref name="perStream"/> entries of each
    /// stream after the position and moves the position past them. Called by the runner, one
    /// batch at a time in batch order, so positions and ranges follow the batches.
    /// </summary>
    private async Task<(List<StreamRange> Ranges, T[] Entries)> ResolveAsync(int perStream, CancellationToken cancellationToken)
    {
        var ranges = new List<StreamRange>(keys.Length);
        var parts = new List<T[]>(keys.Length);
        var fence = NextFence();
        foreach (var key in keys)
        {
            var after = _lastIds[key];
            var until = fence is null ? "+" : fence.GetValueOrDefault(key);
            if (fence is not null && CompareIds(until, after) <= 0)
            {
                // At its end of the next commit: the stream waits there until every stream is at
                // its own, so that no batch holds records both inside and after that commit.
                ranges.Add(new StreamRange(key, after, after, 0));
                continue;
            }

            var read = fence is null && await TakePrefetchAsync(key, after, perStream).ConfigureAwait(false) is { } prefetched
                ? prefetched
                : Chunk.Empty(after);
            if (read.Count < perStream)
            {
                read = read.Append(await ReadAsync(key, read.Last, until!, perStream - read.Count, cancellationToken).ConfigureAwait(false));
            }

            if (read.Count == 0 && fence is not null)
            {
                // Nothing is left up to the fence (trimmed or deleted since the commit), and ids
                // only grow, so nothing can be added there: the stream is at its fence.
                ranges.Add(new StreamRange(key, until, until, 0));
                continue;
            }

            parts.Add(read.Records);
            ranges.Add(new StreamRange(key, after, read.Last, read.Count));
        }

        // Only once every stream was read: a failed resolution leaves the positions where they
        // were, and the retry (or the next batch) reads these entries instead.
        foreach (var range in ranges)
        {
            _lastIds[range.Stream] = range.Last;
        }

        if (NextFence() is null)
        {
            foreach (var key in keys)
            {
                StartPrefetch(key, _lastIds[key], perStream);
            }
        }

        return (ranges, parts.Count == 1 ? parts[0] : [.. parts.SelectMany(p => p)]);
    }

    /// <summary>
    /// Reads up to <paramref name="count"/> entries of <paramref name="key"/> after
    /// <paramref name="after"/> and up to <paramref name="until"/>, chunk by chunk, decoded.
    /// </summary>
    private async Task<Chunk> ReadAsync(string key, string? after, string until, int count, CancellationToken cancellationToken)
    {
        var chunks = new List<Chunk>();
        var total = 0;
        var last = after;
        while (total < count)
        {
            var want = Math.Min(count - total, options.ReadChunkSize);
            var read = await CallAsync(Database.StreamRangeAsync(key, After(last), until, count: want), $"reading '{key}' after {last ?? "its start"}", cancellationToken).ConfigureAwait(false);
            if (read.Length == 0)
            {
                break;
            }

            var records = new T[read.Length];
            var ids = new RedisValue[read.Length];
            for (var i = 0; i < read.Length; i++)
            {
                records[i] = decode(key, read[i]);
                ids[i] = read[i].Id;
            }

            chunks.Add(new Chunk(records, ids, last));
            total += read.Length;
            last = read[^1].Id;
            if (read.Length < want)
            {
                break;
            }
        }

        return chunks.Count switch
        {
            0 => Chunk.Empty(after),
            1 => chunks[0],
            _ => new Chunk([.. chunks.SelectMany(c => c.Records)], [.. chunks.SelectMany(c => c.Ids)], after),
        };
    }

    /// <summary>Starts reading the next batch's entries of a stream in the background.</summary>
    private void StartPrefetch(string key, string? after, int count)
    {
        Discard(key);
        var stopping = _context?.Stopping ?? CancellationToken.None;
        _prefetches[key] = new Prefetch(after, Task.Run(() => ReadAsync(key, after, "+", count, stopping), CancellationToken.None));
    }

    /// <summary>
    /// The prefetched entries of a stream if the prefetch began at <paramref name="after"/> and
    /// succeeded, cut to <paramref name="most"/>; null otherwise (the caller reads afresh).
    /// </summary>
    private async Task<Chunk?> TakePrefetchAsync(string key, string? after, int most)
    {
        if (!_prefetches.Remove(key, out var prefetch))
        {
            return null;
        }

        if (prefetch.After != after)
        {
            Observe(prefetch.Read);
            return null;
        }

        try
        {
            return (await prefetch.Read.ConfigureAwait(false)).Take(most);
        }
        catch (Exception error) when (error is SourceException or OperationCanceledException)
        {
            return null; // read again, under this batch's cancellation, and failing it if it still fails
        }
    }

    /// <summary>Drops a stream's prefetch (the position moved elsewhere), observing its failure.</summary>
    private void Discard(string key)
    {
        if (_prefetches.Remove(key, out var stale))
        {
            Observe(stale.Read);
        }
    }

    private static void Observe(Task task) =>
        task.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>One call to Redis, bounded by the operation time-out and the batch's cancellation.</summary>
    private async Task<TResult> CallAsync<TResult>(Task<TResult> call, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await call.WaitAsync(options.OperationTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException error)
        {
            throw new SourceException(Name, $"{what} did not answer within {options.OperationTimeout}.", error) { IsTransient = true };
        }
        catch (RedisException error)
        {
            throw new SourceException(Name, $"{what} failed: {error.Message}", error) { IsTransient = true };
        }
    }

    public void WriteState(Utf8JsonWriter writer) =>
        PartitionPositions.Write(writer, _lastIds, (w, key, id) => w.WriteString(key, id));

    public void ReadState(JsonElement state, int version)
    {
        foreach (var key in PartitionPositions.Read(this, state, version, _lastIds, id => id.GetString()))
        {
            Discard(key);
        }

        _positioned = true;
    }

    public void WriteRange(ISealedInput input, Utf8JsonWriter writer)
    {
        var sealedRange = (SealedRange)input;
        PartitionRanges.Write(writer, sealedRange.Ranges, sealedRange.PerStream, (w, range) =>
        {
            // A partitioned source's documented form: cluster mode hands each partition's entry to its executor.
            w.WriteString("partition", range.Stream);
            w.WriteString("stream", range.Stream);
            w.WriteString("after", range.After);
            w.WriteString("last", range.Last);
            w.WriteNumber("count", range.Count);
        });
    }

    public ISealedInput ReadRange(JsonElement range) =>
        PartitionRanges.Read(this, range, options.MaxEntriesPerBatch, ParseRange, out var perStream) is { } ranges
            ? new SealedRange(this, ranges, null)
            : new SealedRange(this, perStream);

    private static StreamRange ParseRange(JsonElement r) => new(
        r.GetProperty("stream").GetString()!,
        r.GetProperty("after").GetString(),
        r.GetProperty("last").GetString(),
        r.GetProperty("count").GetInt32());

    public bool IsResolved(ISealedInput input) => ((SealedRange)input).Ranges is not null;

    /// <summary>Per stream, ids compared numerically against the committed range's last id; streams with no entries in the batch do not count.</summary>
    public RangeOrder Compare(ISealedInput input, JsonElement committed)
    {
        var ends = CommittedEnds(committed);
        // The runner compares a batch with the commits only after reading it, so its range is resolved.
        var ranges = ((SealedRange)input).Ranges ?? throw new InvalidOperationException($"{Name}: a batch was compared with a commit before its range was read.");
        return RangeOrders.Combine(ranges.Select(range =>
        {
            var end = ends.GetValueOrDefault(range.Stream);
            if (range.Count == 0)
            {
                return RangeOrder.Empty;
            }

            return CompareIds(range.Last, end) <= 0 ? RangeOrder.Committed
                : CompareIds(range.After, end) >= 0 ? RangeOrder.After
                : RangeOrder.Straddles;
        }));
    }

    /// <summary>
    /// Per stream: moves the position to the earliest committed last id when it is behind (the
    /// checkpoint is older or gone), and keeps the commits ahead of it as fences that a batch does
    /// not read past: a stream at its end of a commit reads nothing more until every stream is at
    /// its end of that commit, so that no batch straddles an output's commit.
    /// </summary>
    public void ResumeAfter(IReadOnlyList<JsonElement?> committed)
    {
        var ends = committed.Select(c => c is { } range ? CommittedEnds(range) : []).ToList();
        foreach (var key in keys)
        {
            // An output that committed nothing of this stream holds it back to where it is.
            var perOutput = ends.Select(e => e.GetValueOrDefault(key)).ToList();
            var earliest = perOutput.Aggregate((a, b) => CompareIds(a, b) <= 0 ? a : b);
            if (CompareIds(earliest, _lastIds[key]) > 0)
            {
                _lastIds[key] = earliest;
                _positioned = true;
                Discard(key);
            }

        }

        _fences.Clear();
        _fences.AddRange(ends.Where(end => keys.Any(key => CompareIds(end.GetValueOrDefault(key), _lastIds[key]) > 0)));

        // The commits of one history: a later one is at or after an earlier one on every stream.
        _fences.Sort((x, y) => keys.Select(key => CompareIds(x.GetValueOrDefault(key), y.GetValueOrDefault(key))).FirstOrDefault(c => c != 0));
    }

    /// <summary>The last id of each stream in a range written by <see cref="WriteRange"/>.</summary>
    private Dictionary<string, string?> CommittedEnds(JsonElement committed)
    {
        try
        {
            return committed.EnumerateArray().ToDictionary(r => r.GetProperty("stream").GetString()!, r => r.GetProperty("last").GetString(), StringComparer.Ordinal);
        }
        catch (Exception error) when (error is InvalidOperationException or KeyNotFoundException or ArgumentException)
        {
            throw new InvalidDataException($"{Name}: a committed id range is malformed: {committed.GetRawText()}", error);
        }
    }

    /// <summary>The first commit fence some stream has not reached yet; null when there is none.</summary>
    private Dictionary<string, string?>? NextFence()
    {
        while (_fences.Count > 0 && keys.All(key => CompareIds(_fences[0].GetValueOrDefault(key), _lastIds[key]) <= 0))
        {
            _fences.RemoveAt(0);
        }

        return _fences.Count > 0 ? _fences[0] : null;
    }

    /// <summary>Orders stream ids (<c>milliseconds-sequence</c>) numerically; null, the start of the stream, first.</summary>
    internal static int CompareIds(string? left, string? right)
    {
        if (left is null || right is null)
        {
            return left is null ? (right is null ? 0 : -1) : 1;
        }

        var (leftTime, leftSequence) = ParseId(left);
        var (rightTime, rightSequence) = ParseId(right);
        return leftTime != rightTime ? leftTime.CompareTo(rightTime) : leftSequence.CompareTo(rightSequence);
    }

    private static (ulong Time, ulong Sequence) ParseId(string id)
    {
        var dash = id.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0
            && ulong.TryParse(id.AsSpan(0, dash), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var time)
            && ulong.TryParse(id.AsSpan(dash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var sequence))
        {
            return (time, sequence);
        }

        throw new InvalidDataException($"'{id}' is not a Redis stream id (milliseconds-sequence).");
    }

    private static string After(string? id) => id is null ? "-" : "(" + id;

    /// <summary>
    /// Entries read and decoded: the records, their ids, and the id they follow (the range's
    /// exclusive start). Whole chunks are appended; a prefetch longer than a batch may take is cut.
    /// </summary>
    private sealed record Chunk(T[] Records, RedisValue[] Ids, string? Start)
    {
        public int Count => Records.Length;

        public string? Last => Ids.Length > 0 ? Ids[^1].ToString() : Start;

        public static Chunk Empty(string? after) => new([], [], after);

        public Chunk Append(Chunk more) =>
            more.Count == 0 ? this
            : Count == 0 ? more with { Start = Start }
            : new([.. Records, .. more.Records], [.. Ids, .. more.Ids], Start);

        public Chunk Take(int most) => Count <= most ? this : new(Records[..most], Ids[..most], Start);
    }

    /// <summary>A background read of a stream's next entries, from <c>After</c>.</summary>
    private sealed record Prefetch(string? After, Task<Chunk> Read);

    /// <summary>
    /// The entries of one stream a batch covers: after <c>After</c> (exclusive) up to <c>Last</c>
    /// (inclusive), <c>Count</c> of them, or <see cref="UncountedEntries"/> for a range fixed when sealed.
    /// </summary>
    internal sealed record StreamRange(string Stream, string? After, string? Last, int Count);

    /// <summary>
    /// One batch's ranges: unresolved until the runner reads the batch, then the ranges and the
    /// entries read; rebuilt from a checkpoint, the ranges only, read again on demand.
    /// </summary>
    private sealed class SealedRange : ISealedInput
    {
        private readonly RedisStreamSource<T> _source;
        private T[]? _entries;

        public SealedRange(RedisStreamSource<T> source, int perStream)
        {
            _source = source;
            PerStream = perStream;
        }

        public SealedRange(RedisStreamSource<T> source, IReadOnlyList<StreamRange> ranges, T[]? entries)
        {
            _source = source;
            Ranges = ranges;
            _entries = entries;
        }

        /// <summary>The most entries per stream an unresolved batch takes.</summary>
        public int PerStream { get; }

        /// <summary>The ranges read; null while unresolved.</summary>
        public IReadOnlyList<StreamRange>? Ranges { get; private set; }

        public async ValueTask<Array> ReadAsync(CancellationToken cancellationToken)
        {
            if (_entries is not null)
            {
                return _entries;
            }

            if (Ranges is null)
            {
                var (ranges, entries) = await _source.ResolveAsync(PerStream, cancellationToken).ConfigureAwait(false);
                _entries = entries;
                Ranges = ranges;
                return entries;
            }

            var replayed = new List<T>();
            foreach (var range in Ranges.Where(r => r.Count != 0))
            {
                var counted = range.Count != UncountedEntries;
                var read = await _source.ReadAsync(range.Stream, range.After, range.Last!, counted ? range.Count : int.MaxValue, cancellationToken).ConfigureAwait(false);
                if ((counted && read.Count != range.Count) || read.Last != range.Last)
                {
                    throw new SourceException(_source.Name, counted
                        ? $"cannot replay '{range.Stream}' ({range.After ?? "start"}, {range.Last}]: {range.Count} entries were read, {read.Count} remain (trimmed?)."
                        : $"cannot replay '{range.Stream}' ({range.After ?? "start"}, {range.Last}]: the entries left end at {read.Last ?? "nothing"} (trimmed?).");
                }

                replayed.AddRange(read.Records);
            }

            return _entries = replayed.ToArray();
        }
    }
}
