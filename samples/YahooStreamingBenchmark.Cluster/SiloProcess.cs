using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace YahooStreamingBenchmark.Cluster;

/// <summary>
/// One silo: this same program in <c>--silo</c> mode, a process of its own on loopback. Its
/// standard input is a pipe from the launcher, and the silo shuts down when that pipe closes, so
/// it never outlives the launcher, however the launcher ends (even killed outright). Its output
/// goes to the launcher's, each line tagged with the silo's number.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(15);
    private readonly Process _process;

    private SiloProcess(int number, int siloPort, Process process)
    {
        Number = number;
        SiloPort = siloPort;
        _process = process;
    }

    /// <summary>The silo's number, from 1.</summary>
    public int Number { get; }

    /// <summary>The silo-to-silo port: with the loopback address, the silo's identity in the cluster.</summary>
    public int SiloPort { get; }

    /// <summary>Whether the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Starts silo <paramref name="number"/> of the run on free loopback ports.</summary>
    public static SiloProcess Start(int number, string redisEndpoint, ClusterLayout layout, TextWriter output)
    {
        var siloPort = FreePort();
        var gatewayPort = FreePort();
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The entry assembly is this program whether it runs as the sample or inside a test's output folder.
        info.ArgumentList.Add(typeof(SiloProcess).Assembly.Location);
        foreach (var argument in SiloArguments.Format(new SiloArguments(number, redisEndpoint, layout, siloPort, gatewayPort)))
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"silo {number} did not start.");
        var tag = $"[silo {number}] ";
        process.OutputDataReceived += (_, e) => Forward(output, tag, e.Data);
        process.ErrorDataReceived += (_, e) => Forward(output, tag, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Forward(output, tag, $"pid {process.Id.ToString(CultureInfo.InvariantCulture)}, 127.0.0.1:{siloPort.ToString(CultureInfo.InvariantCulture)}");
        return new SiloProcess(number, siloPort, process);
    }

    /// <summary>Asks the silo to shut down (closes its input), and kills it if it has not within 15 seconds.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close();
                using var grace = new CancellationTokenSource(ShutdownGrace);
                try
                {
                    await _process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync().ConfigureAwait(false);
                }
            }
        }
        catch (InvalidOperationException)
        {
            // The process ended between the check and the close: nothing is left to stop.
        }
        finally
        {
            _process.Dispose();
        }
    }

    private static void Forward(TextWriter output, string tag, string? line)
    {
        if (!string.IsNullOrEmpty(line))
        {
            lock (output)
            {
                output.WriteLine(tag + line);
            }
        }
    }

    // `dotnet run` and `dotnet test` name the host they run under; a published app host runs as itself.
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
