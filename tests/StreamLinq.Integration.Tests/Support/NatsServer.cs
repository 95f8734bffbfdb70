using System.Globalization;

namespace StreamLinq.Integration.Tests.Support;

/// <summary>
/// A nats-server with JetStream of its own, on a free loopback port, storing in a temporary
/// directory; <see cref="KillAndRestartAsync"/> kills it with SIGKILL and starts it again on the
/// same port and store, as a crashed broker that comes back.
/// </summary>
public sealed class NatsServer : LoopbackServer
{
    private NatsServer()
        : base("nats")
    {
    }

    public string Url => $"nats://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    protected override string Executable => "nats-server";

    protected override IEnumerable<string> Arguments =>
        ["-js", "-a", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-sd", DataDirectory.FullName];

    public static async Task<NatsServer> StartAsync()
    {
        var server = new NatsServer();
        await server.LaunchAsync();
        return server;
    }

    public async Task KillAndRestartAsync(TimeSpan down)
    {
        Kill();
        await Task.Delay(down);
        await LaunchAsync();
    }
}
