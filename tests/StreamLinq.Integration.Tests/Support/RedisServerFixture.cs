using System.Diagnostics;
using StackExchange.Redis;

namespace StreamLinq.Integration.Tests.Support;

/// <summary>A redis-server of its own, on a free loopback port, with its data in a temporary directory.</summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    private Process? _server;
    private DirectoryInfo? _directory;

    public int Port { get; private set; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public ConnectionMultiplexer Connection { get; private set; } = null!;

    /// <summary>The server's process, for tests that pause (SIGSTOP) or kill it.</summary>
    public Process Process => _server ?? throw new InvalidOperationException("The server has not started.");

    public async Task InitializeAsync()
    {
        _directory = Directory.CreateTempSubdirectory("streamlinq-redis-");
        Port = ServerProcess.FreePort();
        var info = new ProcessStartInfo(ServerProcess.Find("redis-server", "/usr/bin", "/usr/sbin"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _directory.FullName, "--save", "", "--appendonly", "no", "--daemonize", "no" })
        {
            info.ArgumentList.Add(argument);
        }

        _server = Process.Start(info)!;
        _server.OutputDataReceived += (_, _) => { };
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                Connection = await ConnectionMultiplexer.ConnectAsync($"{Endpoint},abortConnect=true,connectTimeout=2000");
                await Connection.GetDatabase().PingAsync();
                return;
            }
            catch (RedisConnectionException) when (attempt < 50 && !_server.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (Connection is not null)
        {
            await Connection.DisposeAsync();
        }

        if (_server is { HasExited: false })
        {
            // A paused server would not die of SIGKILL until resumed on some systems; resume it first.
            ServerProcess.Signal(_server, "CONT");
            _server.Kill();
            await _server.WaitForExitAsync();
        }

        _server?.Dispose();
        _directory?.Delete(recursive: true);
    }
}
