using System.Diagnostics;
using System.Net.Sockets;

namespace StreamLinq.Integration.Tests.Support;

/// <summary>
/// A server process of the tests' own: a free loopback port, a temporary directory for its data
/// and configuration, started from a Debian package's executable and ready once its port accepts
/// connections. Subclasses say what to run; <see cref="LaunchAsync"/> may run it again on the
/// same port and directory, as a server that comes back after a crash or a restart.
/// </summary>
public abstract class LoopbackServer : IAsyncDisposable
{
    private Process? _process;

    protected LoopbackServer(string name)
    {
        DataDirectory = Directory.CreateTempSubdirectory($"streamlinq-{name}-");
        Port = ServerProcess.FreePort();
    }

    public int Port { get; }

    /// <summary>Where the server keeps its data and configuration; removed on dispose.</summary>
    protected DirectoryInfo DataDirectory { get; }

    /// <summary>The executable, found on the PATH or in /usr/sbin, /usr/bin.</summary>
    protected abstract string Executable { get; }

    /// <summary>The command line, read at each launch.</summary>
    protected abstract IEnumerable<string> Arguments { get; }

    /// <summary>Starts the server and waits until its port accepts a connection (about 5 s at most).</summary>
    protected async Task LaunchAsync()
    {
        var info = new ProcessStartInfo(ServerProcess.Find(Executable, "/usr/sbin", "/usr/bin"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in Arguments)
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

    /// <summary>Kills the server with SIGKILL, as a crash: it saves nothing.</summary>
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

    /// <summary>Stops the server with SIGTERM, letting it save its state (30 s at most).</summary>
    protected async Task TerminateAsync()
    {
        if (_process is { HasExited: false })
        {
            ServerProcess.Signal(_process, "TERM");
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        _process?.Dispose();
        _process = null;
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        DataDirectory.Delete(recursive: true);
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
