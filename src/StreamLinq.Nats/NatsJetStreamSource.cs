using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using StreamLinq.Sources;

namespace StreamLinq.Nats;

/// <summary>
/// Reads a JetStream stream by stream sequence ranges, one range per subject (its partitions).
/// The position is each subject's last stream sequence read. Sealing calls nothing (the
/// generator never waits for the server); the runner resolves the range when it reads the batch,
/// batches in order: the next messages of each subject after its position, recorded as the
/// batch's range before any output runs, so that the batch can be read again after a crash.
/// </summary>
/// <remarks>
/// Each subject is read with an ephemeral pull consumer (server-side filtered, no acknowledgements) kept between
/// batches while the position follows it; a replay, an empty read or an error drops it and the
/// next read creates one at the position, so a server restart costs one failed (retried) batch
/// at most.
/// </remarks>
internal sealed class NatsJetStreamSource(INatsConnection nats, string stream, string[] subjects, NatsJetStreamOptions options)
    : IBatchSource<NatsMessage>, IPartitionedSource, IRateControlledSource
{
    private readonly NatsJSContext _js = new(nats);
    private readonly Dictionary<string, ulong> _positions = subjects.ToDictionary(s => s, _ => 0UL, StringComparer.Ordinal);
    private readonly Dictionary<string, (INatsJSConsumer Consumer, ulong After)> _consumers = new(StringComparer.Ordinal);
    private double _rate = double.PositiveInfinity;
    private BatchTime? _lastSeal;
    private bool _positioned;

    public string Name => $"NatsJetStream({stream}: {string.Join(",", subjects)})";

    public bool IsReplayable => true;

    /// <summary>Always true: finding out would ask the server on the generator's thread.</summary>
    public bool HasPending => true;

    public IReadOnlyList<string> Partitions => subjects;

    public string StateId => Name;

    public int StateVersion => 1;

    public async Task StartAsync(SourceContext context, CancellationToken cancellationToken)
    {
        if (!_positioned && !options.StartFromBeginning)
        {
            // Only messages stored from now on: every subject starts after the stream's last sequence.
            var info = await _js.GetStreamAsync(stream, cancellationToken: cancellationToken).AsTask().WaitAsync(options.OperationTimeout, cancellationToken).ConfigureAwait(false);
            foreach (var subject in subjects)
            {
                _positions[subject] = info.Info.State.LastSeq;
            }
        }

        _positioned = true;
    }

    public Task StopAsync() => Task.CompletedTask;

    public void SetRate(double recordsPerSecond) => Interlocked.Exchange(ref _rate, recordsPerSecond);

    public ISealedInput Seal(BatchTime time)
    {
        var perSubject = options.MaxMessagesPerBatch;
        var rate = Volatile.Read(ref _rate);
        if (_lastSeal is { } last && !double.IsPositiveInfinity(rate))
        {
            perSubject = (int)Math.Clamp(Math.Ceiling(rate * (time - last).TotalSeconds / subjects.Length), 1, options.MaxMessagesPerBatch);
        }

        _lastSeal = time;
        return new SealedRange(this, perSubject);
    }

    /// <summary>
    /// Reads up to <paramref name="perSubject"/> messages of each subject after its position and
    /// moves the positions past them, only once every subject was read: a failed read leaves them,
    /// and the retry reads the same messages. Called one batch at a time, in batch order.
    /// </summary>
    private async Task<(List<SubjectRange> Ranges, NatsMessage[] Messages)> ResolveAsync(int perSubject, CancellationToken cancellationToken)
    {
        var ranges = new List<SubjectRange>(subjects.Length);
        var messages = new List<NatsMessage>();
        foreach (var subject in subjects)
        {
            var after = _positions[subject];
            List<NatsMessage> read;
            try
            {
                if (!_consumers.TryGetValue(subject, out var cached) || cached.After != after)
                {
                    cached = (await CreateConsumerAsync(subject, after, cancellationToken).ConfigureAwait(false), after);
                }

                read = await FetchAsync(cached.Consumer, perSubject, $"reading '{subject}' after sequence {after}", cancellationToken).ConfigureAwait(false);

                // An empty read may also be a consumer the server lost (a restart): make a new one next time.
                if (read.Count > 0)
                {
                    _consumers[subject] = (cached.Consumer, read[^1].Sequence);
                }
                else
                {
                    _consumers.Remove(subject);
                }
            }
            catch
            {
                _consumers.Remove(subject);
                throw;
            }

            messages.AddRange(read);
            ranges.Add(new SubjectRange(subject, after, read.Count > 0 ? read[^1].Sequence : after, read.Count));
        }

        foreach (var range in ranges)
        {
            _positions[range.Subject] = range.Last;
        }

        return (ranges, messages.ToArray());
    }

    private async Task<INatsJSConsumer> CreateConsumerAsync(string subject, ulong after, CancellationToken cancellationToken)
    {
        try
        {
            // An ephemeral pull consumer without acknowledgements: the checkpoint, not the server,
            // keeps the position, and the server removes it once idle. One subject per consumer
            // (filter_subject, which servers before 2.10 know, unlike filter_subjects).
            return await _js.CreateOrUpdateConsumerAsync(stream, new ConsumerConfig
            {
                // A new name each time: a consumer's start sequence cannot be updated in place.
                Name = "streamlinq-" + Guid.NewGuid().ToString("N"),
                FilterSubject = subject,
                DeliverPolicy = ConsumerConfigDeliverPolicy.ByStartSequence,
                OptStartSeq = after + 1,
                AckPolicy = ConsumerConfigAckPolicy.None,
                InactiveThreshold = TimeSpan.FromSeconds(30),
                MemStorage = true,
                NumReplicas = 1,
            }, cancellationToken).AsTask().WaitAsync(options.OperationTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw Failure($"creating a consumer of '{subject}' after sequence {after}", error);
        }
    }

    /// <summary>Fetches what the server holds now, up to <paramref name="count"/> messages, without waiting for more.</summary>
    private async Task<List<NatsMessage>> FetchAsync(INatsJSConsumer consumer, int count, string what, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.OperationTimeout);
        var read = new List<NatsMessage>();
        try
        {
            while (read.Count < count)
            {
                var before = read.Count;
                await foreach (var message in consumer.FetchNoWaitAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = count - read.Count }, cancellationToken: timeout.Token).ConfigureAwait(false))
                {
                    var metadata = message.Metadata ?? throw new InvalidDataException($"{what}: a message came without its JetStream metadata.");
                    read.Add(new NatsMessage(message.Subject, metadata.Sequence.Stream, message.Data ?? [], metadata.Timestamp));
                }

                if (read.Count == before)
                {
                    break;
                }
            }

            return read;
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw Failure(what, error);
        }
    }

    private SourceException Failure(string what, Exception error) =>
        error is OperationCanceledException
            ? new SourceException(Name, $"{what} did not answer within {options.OperationTimeout}.", new TimeoutException(error.Message, error)) { IsTransient = true }
            : new SourceException(Name, $"{what} failed: {error.Message}", error) { IsTransient = error is NatsException or TimeoutException or IOException };

    public void WriteState(Utf8JsonWriter writer) =>
        PartitionPositions.Write(writer, _positions, (w, subject, sequence) => w.WriteNumber(subject, sequence));

    public void ReadState(JsonElement state, int version)
    {
        PartitionPositions.Read(this, state, version, _positions, sequence => sequence.GetUInt64());
        _positioned = true;
    }

    public void WriteRange(ISealedInput input, Utf8JsonWriter writer)
    {
        var sealedRange = (SealedRange)input;
        PartitionRanges.Write(writer, sealedRange.Ranges, sealedRange.PerSubject, (w, range) =>
        {
            w.WriteString("subject", range.Subject);
            w.WriteNumber("after", range.After);
            w.WriteNumber("last", range.Last);
            w.WriteNumber("count", range.Count);
        });
    }

    public ISealedInput ReadRange(JsonElement range) =>
        PartitionRanges.Read(this, range, options.MaxMessagesPerBatch, ParseRange, out var perSubject) is { } ranges
            ? new SealedRange(this, ranges)
            : new SealedRange(this, perSubject);

    public bool IsResolved(ISealedInput input) => ((SealedRange)input).Ranges is not null;

    /// <summary>Per subject, the batch's sequences against the committed range's last one; subjects with no messages in the batch do not count.</summary>
    public RangeOrder Compare(ISealedInput input, JsonElement committed)
    {
        var ends = CommittedEnds(committed);
        var ranges = ((SealedRange)input).Ranges ?? throw new InvalidOperationException($"{Name}: a batch was compared with a commit before its range was read.");
        return RangeOrders.Combine(ranges.Select(range =>
        {
            if (range.Count == 0)
            {
                return RangeOrder.Empty;
            }

            var end = ends.GetValueOrDefault(range.Subject);
            return range.Last <= end ? RangeOrder.Committed
                : range.After >= end ? RangeOrder.After
                : RangeOrder.Straddles;
        }));
    }

    /// <summary>
    /// Moves each subject's position to the earliest sequence the transactional outputs committed
    /// when it is behind (the checkpoint is older or gone). Unlike the Redis source it keeps no
    /// fences: outputs that committed different positions make the batch between them straddle,
    /// which fails visibly (see docs/connectors.md).
    /// </summary>
    public void ResumeAfter(IReadOnlyList<JsonElement?> committed)
    {
        var ends = committed.Select(c => c is { } range ? CommittedEnds(range) : []).ToList();
        if (ends.Count == 0)
        {
            return;
        }

        foreach (var subject in subjects)
        {
            var earliest = ends.Min(e => e.GetValueOrDefault(subject));
            if (earliest > _positions[subject])
            {
                _positions[subject] = earliest;
                _positioned = true;
            }
        }
    }

    private Dictionary<string, ulong> CommittedEnds(JsonElement committed)
    {
        try
        {
            return committed.EnumerateArray().Select(ParseRange).ToDictionary(r => r.Subject, r => r.Last, StringComparer.Ordinal);
        }
        catch (Exception error) when (error is InvalidOperationException or KeyNotFoundException or ArgumentException or FormatException)
        {
            throw new InvalidDataException($"{Name}: a committed sequence range is malformed: {committed.GetRawText()}", error);
        }
    }

    private static SubjectRange ParseRange(JsonElement r) => new(
        r.GetProperty("subject").GetString()!,
        r.GetProperty("after").GetUInt64(),
        r.GetProperty("last").GetUInt64(),
        r.GetProperty("count").GetInt32());

    /// <summary>One subject's messages in a batch: stream sequences after <c>After</c> (exclusive) up to <c>Last</c> (inclusive).</summary>
    private sealed record SubjectRange(string Subject, ulong After, ulong Last, int Count);

    /// <summary>One batch's ranges: unresolved until the runner reads it; rebuilt from a checkpoint, read again on demand.</summary>
    private sealed class SealedRange : ISealedInput
    {
        private readonly NatsJetStreamSource _source;
        private NatsMessage[]? _messages;

        public SealedRange(NatsJetStreamSource source, int perSubject)
        {
            _source = source;
            PerSubject = perSubject;
        }

        public SealedRange(NatsJetStreamSource source, IReadOnlyList<SubjectRange> ranges)
        {
            _source = source;
            Ranges = ranges;
        }

        public int PerSubject { get; }

        public IReadOnlyList<SubjectRange>? Ranges { get; private set; }

        public async ValueTask<Array> ReadAsync(CancellationToken cancellationToken)
        {
            if (_messages is not null)
            {
                return _messages;
            }

            if (Ranges is null)
            {
                var (ranges, messages) = await _source.ResolveAsync(PerSubject, cancellationToken).ConfigureAwait(false);
                Ranges = ranges;
                return _messages = messages;
            }

            var replayed = new List<NatsMessage>();
            foreach (var range in Ranges.Where(r => r.Count > 0))
            {
                var what = $"replaying '{range.Subject}' ({range.After}, {range.Last}]";
                var consumer = await _source.CreateConsumerAsync(range.Subject, range.After, cancellationToken).ConfigureAwait(false);
                var read = await _source.FetchAsync(consumer, range.Count, what, cancellationToken).ConfigureAwait(false);
                if (read.Count != range.Count || read[^1].Sequence != range.Last)
                {
                    throw new SourceException(_source.Name, $"cannot {what}: {range.Count} messages were read, {read.Count} remain up to sequence {(read.Count > 0 ? read[^1].Sequence : range.After)} (removed by the stream's limits?).");
                }

                replayed.AddRange(read);
            }

            return _messages = [.. replayed];
        }
    }
}
