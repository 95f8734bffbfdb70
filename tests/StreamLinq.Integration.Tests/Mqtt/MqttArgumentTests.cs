using StreamLinq.Mqtt;

namespace StreamLinq.Integration.Tests.Mqtt;

/// <summary>Bad arguments to the MQTT connector are refused when the query is defined, naming what is wrong.</summary>
public sealed class MqttArgumentTests
{
    [Fact]
    public async Task A_source_without_a_client_id_is_refused_because_its_session_needs_one()
    {
        await using var context = new StreamingContext(TimeSpan.FromSeconds(1));
        var error = Assert.Throws<ArgumentException>(() => context.MqttStream("127.0.0.1", 1883, ["t"], new MqttSourceOptions { ClientId = "" }));
        Assert.Equal("options", error.ParamName);
    }

    [Fact]
    public async Task A_port_outside_tcp_or_a_repeated_topic_is_refused()
    {
        await using var context = new StreamingContext(TimeSpan.FromSeconds(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => context.MqttStream("127.0.0.1", 70_000, ["t"], new MqttSourceOptions { ClientId = "c" }));
        var repeated = Assert.Throws<ArgumentException>(() => context.MqttStream("127.0.0.1", 1883, ["t", "t"], new MqttSourceOptions { ClientId = "c" }));
        Assert.Equal("topics", repeated.ParamName);
    }
}
