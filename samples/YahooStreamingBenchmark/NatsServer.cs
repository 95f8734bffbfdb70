using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace YahooStreamingBenchmark;

/// <summary>
/// A throwaway nats-server with JetStream on a free loopback port, storing in a temporary
/// directory, stopped and removed on dispose: so the NATS mode needs no server set up by hand.
/// </summary>
public sealed class NatsServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private NatsServer(Process process, int port, string directory)
    {
        _process = process;
        Port = port;
        _directory = directory;
    }

    public int Port { get; }

    public string Url => $"nats://127.0.0.1:{Port.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>Starts nats-server -js and waits until it accepts connections.</summary>
    /// <exception cref="InvalidOperationException">nats-server is not installed or does not start.</exception>
    public static async Task<NatsServer> StartAsync()
    {
        var executable = new[] { "/usr/sbin/nats-server", "/usr/bin/nats-server" }
            .Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "nats-server")))
            .FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("nats-server is not installed; install it (apt-get install nats-server) or use another mode.");
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var directory = Directory.CreateTempSubdirectory("ysb-nats-").FullName;
        var process = Process.Start(new ProcessStartInfo(executable, ["-js", "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-sd", directory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("nats-server did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return new NatsServer(process, port, directory);
            }
            catch (SocketException) when (attempt < 100 && !process.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
