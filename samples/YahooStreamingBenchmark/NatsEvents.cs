using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using StreamLinq;
using StreamLinq.Nats;

namespace YahooStreamingBenchmark;

/// <summary>
/// The NATS mode's event transport: the generator publishes each event's JSON to a JetStream
/// stream (pipelined, every acknowledgement awaited); the job reads the stream with the NATS
/// JetStream source (StreamLinq.Nats) by sequence ranges, as a replayable source.
/// </summary>
public sealed class NatsEvents
{
    private readonly NatsJSContext _js;
    private readonly string _stream;

    private NatsEvents(INatsConnection nats, string stream)
    {
        Connection = nats;
        _js = new NatsJSContext(nats);
        _stream = stream;
    }

    public INatsConnection Connection { get; }

    private string Subject => _stream + ".events";

    /// <summary>Creates the run's stream (file storage, one subject).</summary>
    public static async Task<NatsEvents> CreateAsync(INatsConnection nats, string stream)
    {
        var events = new NatsEvents(nats, stream);
        await events._js.CreateStreamAsync(new StreamConfig(stream, [events.Subject]));
        return events;
    }

    /// <summary>Publishes events, pipelined: every acknowledgement awaited once the chunk is sent.</summary>
    public async Task AppendAsync(IReadOnlyList<byte[]> events)
    {
        var acks = new Task<PubAckResponse>[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            acks[i] = _js.PublishAsync(Subject, events[i]).AsTask();
        }

        foreach (var ack in await Task.WhenAll(acks))
        {
            ack.EnsureSuccess();
        }
    }

    /// <summary>The job's input: the stream's one subject, from its start, at most <paramref name="perBatch"/> events a batch.</summary>
    public IDStream<ReadOnlyMemory<byte>> Read(StreamingContext context, int perBatch) =>
        context.NatsJetStream(Connection, _stream, [Subject], new NatsJetStreamOptions { MaxMessagesPerBatch = perBatch })
            .Select(m => (ReadOnlyMemory<byte>)m.Data);
}
