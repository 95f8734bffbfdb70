using NATS.Client.Core;
using StreamLinq.Nats;

namespace StreamLinq.Integration.Tests.Nats;

/// <summary>Bad arguments to the NATS connector are refused when the query is defined, naming what is wrong.</summary>
public sealed class NatsJetStreamArgumentTests
{
    [Fact]
    public async Task A_repeated_or_empty_subject_is_refused_naming_the_subjects()
    {
        await using var nats = new NatsConnection();
        await using var context = new StreamingContext(TimeSpan.FromSeconds(1));
        var repeated = Assert.Throws<ArgumentException>(() => context.NatsJetStream(nats, "S", ["a", "a"]));
        Assert.Equal("subjects", repeated.ParamName);
        Assert.Throws<ArgumentException>(() => context.NatsJetStream(nats, "S", ["a", ""]));
        Assert.Throws<ArgumentException>(() => context.NatsJetStream(nats, "S", []));
    }

    [Fact]
    public async Task A_batch_size_below_one_is_refused()
    {
        await using var nats = new NatsConnection();
        await using var context = new StreamingContext(TimeSpan.FromSeconds(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => context.NatsJetStream(nats, "S", ["a"], new NatsJetStreamOptions { MaxMessagesPerBatch = 0 }));
    }

    [Fact]
    public async Task The_sinks_deduplication_id_names_the_sink_the_batch_time_and_the_index()
    {
        await using var nats = new NatsConnection();
        var sink = new NatsJetStreamSink<int>(nats, "copy", _ => "s", _ => []);
        var time = new BatchTime(TimeSpan.FromSeconds(3).Ticks);
        Assert.Equal($"copy:{time.Ticks}:7", sink.MessageId(time, 7));
        Assert.NotEqual(sink.MessageId(time, 7), new NatsJetStreamSink<int>(nats, "other", _ => "s", _ => []).MessageId(time, 7));
    }
}
