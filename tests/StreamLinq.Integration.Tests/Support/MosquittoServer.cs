using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace StreamLinq.Integration.Tests.Support;

/// <summary>
/// A Mosquitto broker of its own: a minimal mosquitto.conf in a temporary directory (a listener
/// on a free loopback port, anonymous clients, persistence on, no limit on queued messages);
/// <see cref="RestartAsync"/> stops it (SIGTERM: it saves its sessions and queued messages) and
/// starts it again on the same port and store.
/// </summary>
public sealed class MosquittoServer : IAsyncDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("streamlinq-mosquitto-");
    private Process? _process;

    private MosquittoServer()
    {
        Port = ServerProcess.FreePort();
        File.WriteAllText(Config, string.Join('\n',
            $"listener {Port.ToString(CultureInfo.InvariantCulture)} 127.0.0.1",
            "allow_anonymous true",
            "persistence true",
            $"persistence_location {_directory.FullName}/",
            "autosave_interval 1",
            "max_queued_messages 0",
            // Run as root, mosquitto would drop to its own user and lose access to the directory.
            $"user {Environment.UserName}",
            ""));
    }

    public int Port { get; }

    private string Config => Path.Combine(_directory.FullName, "mosquitto.conf");

    public static async Task<MosquittoServer> StartAsync()
    {
        var server = new MosquittoServer();
        await server.LaunchAsync();
        return server;
    }

    public async Task RestartAsync(TimeSpan down)
    {
        await StopAsync();
        await Task.Delay(down);
        await LaunchAsync();
    }

    private async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            ServerProcess.Signal(_process, "TERM");
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        _process?.Dispose();
        _process = null;
    }

    private async Task LaunchAsync()
    {
        var info = new ProcessStartInfo(ServerProcess.Find("mosquitto", "/usr/sbin", "/usr/bin"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Config);
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

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _directory.Delete(recursive: true);
    }
}
