using NATS.Client.Core;
using NATS.Client.JetStream;

namespace StreamLinq.Nats;

/// <summary>
/// Publishes each batch's records to JetStream, every message with a deduplication id
/// (<c>Nats-Msg-Id</c>) derived from the sink id, the batch time and the record's index in the
/// batch, so that a replayed batch publishes nothing twice: JetStream drops a message whose id it
/// has stored within the stream's duplicate window.
/// </summary>
/// <typeparam name="T">The type of the records published.</typeparam>
/// <remarks>
/// <para>Idempotent by batch time (<see cref="IIdempotentSink"/>): with a replayable source it gives
/// <see cref="DeliveryGuarantee.ExactlyOnce"/>, provided that a replay comes within the target
/// stream's <c>duplicate_window</c> (two minutes by default; widen it for longer outages) and that
/// the query produces a replayed batch's records in the same order (a replay reads the same
/// ranges; an unordered operator over them may not).</para>
/// <para>A batch's messages are published concurrently and each acknowledgement awaited; a
/// publish the server refuses or does not acknowledge fails the batch (a transient error: the
/// restart strategy retries it, and the messages already stored are dropped as duplicates).</para>
/// <para>Per batch; no state across batches.</para>
/// </remarks>
public sealed class NatsJetStreamSink<T> : IBatchSink<T>, IIdempotentSink
{
    private readonly NatsJSContext _js;
    private readonly string _sinkId;
    private readonly Func<T, string> _subject;
    private readonly Func<T, byte[]> _serialize;

    /// <summary>Creates a sink that publishes each record to <paramref name="subject"/>'s subject.</summary>
    /// <param name="nats">The connection; owned by the caller.</param>
    /// <param name="sinkId">Names this output in the deduplication ids; stable across restarts, unique per output.</param>
    /// <param name="subject">The subject of a record; a JetStream stream must capture it.</param>
    /// <param name="serialize">The payload of a record.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="sinkId"/> is empty.</exception>
    public NatsJetStreamSink(INatsConnection nats, string sinkId, Func<T, string> subject, Func<T, byte[]> serialize)
    {
        ArgumentNullException.ThrowIfNull(nats);
        ArgumentException.ThrowIfNullOrEmpty(sinkId);
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(serialize);
        _js = new NatsJSContext(nats);
        _sinkId = sinkId;
        _subject = subject;
        _serialize = serialize;
    }

    /// <summary>The deduplication id of the record at <paramref name="index"/> in the batch at <paramref name="time"/>.</summary>
    /// <param name="time">The batch time.</param>
    /// <param name="index">The record's index in the batch.</param>
    /// <returns><c>&lt;sink id&gt;:&lt;batch time ticks&gt;:&lt;index&gt;</c>.</returns>
    public string MessageId(BatchTime time, int index) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{_sinkId}:{time.Ticks}:{index}");

    /// <summary>Publishes the batch, each message under its deduplication id, and waits for every acknowledgement.</summary>
    /// <param name="batch">The batch's records.</param>
    /// <param name="time">The batch time.</param>
    /// <param name="cancellationToken">Cancels the publishing.</param>
    /// <exception cref="NatsJSApiException">The server refused a message.</exception>
    public async Task WriteBatchAsync(IReadOnlyList<T> batch, BatchTime time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);

        // Bounded concurrency: enough acknowledgements in flight to hide the round trip, not a
        // whole batch's worth of pending tasks.
        const int InFlight = 512;
        var pending = new List<Task>(InFlight);
        for (var i = 0; i < batch.Count; i++)
        {
            pending.Add(PublishAsync(batch[i], time, i, cancellationToken));
            if (pending.Count == InFlight)
            {
                await Task.WhenAll(pending).ConfigureAwait(false);
                pending.Clear();
            }
        }

        await Task.WhenAll(pending).ConfigureAwait(false);
    }

    private async Task PublishAsync(T record, BatchTime time, int index, CancellationToken cancellationToken)
    {
        var ack = await _js.PublishAsync(_subject(record), _serialize(record), opts: new NatsJSPubOpts { MsgId = MessageId(time, index) }, cancellationToken: cancellationToken).ConfigureAwait(false);

        // A duplicate is what a replay is meant to meet: the message is stored already.
        if (!ack.Duplicate)
        {
            ack.EnsureSuccess();
        }
    }
}
