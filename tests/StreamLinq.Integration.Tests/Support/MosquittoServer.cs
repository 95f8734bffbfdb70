using System.Globalization;

namespace StreamLinq.Integration.Tests.Support;

/// <summary>
/// A Mosquitto broker of its own: a minimal mosquitto.conf in a temporary directory (a listener
/// on a free loopback port, anonymous clients, persistence on, no limit on queued messages);
/// <see cref="RestartAsync"/> stops it (SIGTERM: it saves its sessions and queued messages) and
/// starts it again on the same port and store.
/// </summary>
public sealed class MosquittoServer : LoopbackServer
{
    private MosquittoServer()
        : base("mosquitto")
    {
        File.WriteAllText(Config, string.Join('\n',
            $"listener {Port.ToString(CultureInfo.InvariantCulture)} 127.0.0.1",
            "allow_anonymous true",
            "persistence true",
            $"persistence_location {DataDirectory.FullName}/",
            "autosave_interval 1",
            "max_queued_messages 0",
            // Run as root, mosquitto would drop to its own user and lose access to the directory.
            $"user {Environment.UserName}",
            ""));
    }

    protected override string Executable => "mosquitto";

    protected override IEnumerable<string> Arguments => ["-c", Config];

    private string Config => Path.Combine(DataDirectory.FullName, "mosquitto.conf");

    public static async Task<MosquittoServer> StartAsync()
    {
        var server = new MosquittoServer();
        await server.LaunchAsync();
        return server;
    }

    public async Task RestartAsync(TimeSpan down)
    {
        await TerminateAsync();
        await Task.Delay(down);
        await LaunchAsync();
    }
}
