using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace StreamLinq.Integration.Tests.Support;

/// <summary>
/// A nats-server with JetStream of its own, on a free loopback port, storing in a temporary
/// directory; <see cref="KillAndRestartAsync"/> kills it with SIGKILL and starts it again on the
/// same port and store, as a crashed broker that comes back.
/// </summary>
public sealed class NatsServer : IAsyncDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("streamlinq-nats-");
    private Process? _process;

    private NatsServer()
    {
        Port = ServerProcess.FreePort();
    }

    public int Port { get; }

    public string Url => $"nats://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

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

    public void Kill()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process?.Dispose();
        _process = null;
    }

    private async Task LaunchAsync()
    {
        var info = new ProcessStartInfo(ServerProcess.Find("nats-server", "/usr/sbin", "/usr/bin"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "-js", "-a", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-sd", _directory.FullName })
        {
            info.ArgumentList.Add(argument);
        }

        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", Port);
                return;
            }
            catch (SocketException) when (attempt < 100 && !_process.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _directory.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }
}
