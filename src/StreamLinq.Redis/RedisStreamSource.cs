using System.Text.Json;
using StackExchange.Redis;
using StreamLinq.Sources;

namespace StreamLinq.Redis;

/// <summary>
/// Reads Redis streams by id ranges. The position is each stream's last id read. Sealing a batch
/// calls nothing: it fixes only how many entries the batch may take, so that the generator never
/// waits for Redis. The runner resolves the range when it reads the batch, batches in order:
/// the next entries after the position (XRANGE with an exclusive start, under
/// <see cref="RedisStreamsOptions.OperationTimeout"/>), recorded as the batch's range before any
/// output runs (the pre-output checkpoint makes it durable), so the batch can be read again after
/// a crash. Under back pressure the rate the controller sets caps a batch's entries (never above
/// the configured maximum); a replay still reads exactly the recorded range.
/// </summary>
internal sealed class RedisStreamSource(IConnectionMultiplexer redis, string[] keys, RedisStreamsOptions options) : IBatchSource<RedisStreamEntry>, IPartitionedSource, IRateControlledSource
{
    private double _rate = double.PositiveInfinity;
    private BatchTime? _lastSeal;

    private readonly Dictionary<string, string?> _lastIds = keys.ToDictionary(k => k, _ => (string?)null, StringComparer.Ordinal);
    private bool _positioned;

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

    public async Task StartAsync(SourceContext context, CancellationToken cancellationToken)
    {
        if (!_positioned && !options.StartFromBeginning)
        {
            // Only entries added from now on: start after each stream's current last entry.
            foreach (var key in keys)
            {
                var last = await Database.StreamRangeAsync(key, "-", "+", count: 1, messageOrder: Order.Descending).WaitAsync(cancellationToken).ConfigureAwait(false);
                _lastIds[key] = last.Length > 0 ? (string?)last[0].Id : null;
            }
        }

        _positioned = true;
    }

    public Task StopAsync() => Task.CompletedTask;

    public void SetRate(double recordsPerSecond) => Interlocked.Exchange(ref _rate, recordsPerSecond);

    public ISealedInput Seal(BatchTime time)
    {
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
    /// Resolves an unresolved batch: reads up to <paramref name="perStream"/> entries of each
    /// stream after the position and moves the position past them. Called by the runner, one
    /// batch at a time in batch order, so positions and ranges follow the batches.
    /// </summary>
    private async Task<(List<StreamRange> Ranges, RedisStreamEntry[] Entries)> ResolveAsync(int perStream, CancellationToken cancellationToken)
    {
        var ranges = new List<StreamRange>(keys.Length);
        var entries = new List<RedisStreamEntry>();
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

            var read = await CallAsync(Database.StreamRangeAsync(key, After(after), until!, count: perStream), $"reading '{key}' after {after ?? "its start"}", cancellationToken).ConfigureAwait(false);
            if (read.Length == 0 && fence is not null)
            {
                // Nothing is left up to the fence (trimmed or deleted since the commit), and ids
                // only grow, so nothing can be added there: the stream is at its fence.
                ranges.Add(new StreamRange(key, until, until, 0));
                continue;
            }

            entries.AddRange(read.Select(e => ToEntry(key, e)));
            ranges.Add(new StreamRange(key, after, read.Length > 0 ? (string?)read[^1].Id : after, read.Length));
        }

        // Only once every stream was read: a failed resolution leaves the positions where they
        // were, and the retry (or the next batch) reads these entries instead.
        foreach (var range in ranges)
        {
            _lastIds[range.Stream] = range.Last;
        }

        return (ranges, entries.ToArray());
    }

    /// <summary>One call to Redis, bounded by the operation time-out and the batch's cancellation.</summary>
    private async Task<T> CallAsync<T>(Task<T> call, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await call.WaitAsync(options.OperationTimeout, cancellationToken).ConfigureAwait(false);
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

    public void WriteState(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        foreach (var (key, id) in _lastIds)
        {
            writer.WriteString(key, id);
        }

        writer.WriteEndObject();
    }

    public void ReadState(JsonElement state, int version)
    {
        if (version != StateVersion || state.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{Name}: unreadable checkpointed position (version {version}).");
        }

        foreach (var property in state.EnumerateObject())
        {
            if (!_lastIds.ContainsKey(property.Name))
            {
                throw new InvalidDataException($"{Name}: the checkpoint holds a position for stream '{property.Name}', which this source does not read.");
            }

            _lastIds[property.Name] = property.Value.GetString();
        }

        _positioned = true;
    }

    public void WriteRange(ISealedInput input, Utf8JsonWriter writer)
    {
        if (((SealedRange)input).Ranges is not { } ranges)
        {
            // Queued, not yet read: a replay resolves it from the checkpointed position, as it would have.
            writer.WriteStartObject();
            writer.WriteNumber("unresolved", ((SealedRange)input).PerStream);
            writer.WriteEndObject();
            return;
        }

        writer.WriteStartArray();
        foreach (var range in ranges)
        {
            writer.WriteStartObject();
            writer.WriteString("stream", range.Stream);
            writer.WriteString("after", range.After);
            writer.WriteString("last", range.Last);
            writer.WriteNumber("count", range.Count);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    public ISealedInput ReadRange(JsonElement range)
    {
        try
        {
            if (range.ValueKind == JsonValueKind.Object)
            {
                return new SealedRange(this, Math.Clamp(range.GetProperty("unresolved").GetInt32(), 1, options.MaxEntriesPerBatch));
            }

            var ranges = range.EnumerateArray().Select(r => new StreamRange(
                r.GetProperty("stream").GetString()!,
                r.GetProperty("after").GetString(),
                r.GetProperty("last").GetString(),
                r.GetProperty("count").GetInt32())).ToList();
            return new SealedRange(this, ranges, null);
        }
        catch (Exception error) when (error is InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new InvalidDataException($"{Name}: a pending batch's id range is malformed.", error);
        }
    }

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

    private static RedisStreamEntry ToEntry(string key, StreamEntry entry) =>
        new(key, entry.Id!, entry.Values.Select(v => new KeyValuePair<string, string>(v.Name!, v.Value!)).ToArray());

    /// <summary>The entries of one stream a batch covers: after <c>After</c> (exclusive) up to <c>Last</c> (inclusive).</summary>
    internal sealed record StreamRange(string Stream, string? After, string? Last, int Count);

    /// <summary>
    /// One batch's ranges: unresolved until the runner reads the batch, then the ranges and the
    /// entries read; rebuilt from a checkpoint, the ranges only, read again on demand.
    /// </summary>
    private sealed class SealedRange : ISealedInput
    {
        private readonly RedisStreamSource _source;
        private RedisStreamEntry[]? _entries;

        public SealedRange(RedisStreamSource source, int perStream)
        {
            _source = source;
            PerStream = perStream;
        }

        public SealedRange(RedisStreamSource source, IReadOnlyList<StreamRange> ranges, RedisStreamEntry[]? entries)
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

            var replayed = new List<RedisStreamEntry>();
            foreach (var range in Ranges.Where(r => r.Count > 0))
            {
                var read = await _source.CallAsync(
                    _source.Database.StreamRangeAsync(range.Stream, After(range.After), range.Last, count: range.Count),
                    $"replaying '{range.Stream}' ({range.After ?? "start"}, {range.Last}]",
                    cancellationToken).ConfigureAwait(false);
                if (read.Length != range.Count || read[^1].Id != range.Last)
                {
                    throw new SourceException(_source.Name, $"cannot replay '{range.Stream}' ({range.After ?? "start"}, {range.Last}]: {range.Count} entries were read, {read.Length} remain (trimmed?).");
                }

                replayed.AddRange(read.Select(e => ToEntry(range.Stream, e)));
            }

            return _entries = replayed.ToArray();
        }
    }
}
