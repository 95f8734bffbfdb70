using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace YahooStreamingBenchmark.Cluster;

/// <summary>
/// One silo: a program (this sample in <c>--silo</c> mode, or a test's silo worker) run as a
/// process of its own on loopback ports picked for it. Its standard input is a pipe from the
/// launcher, and the silo program shuts down when that pipe closes, so it never outlives the
/// launcher, however the launcher ends (even killed outright). Its output goes to the launcher's,
/// each line tagged with the silo's number.
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

    /// <summary>Starts silo <paramref name="number"/> of this sample's run on free loopback ports.</summary>
    public static SiloProcess Start(int number, string redisEndpoint, ClusterLayout layout, TextWriter output) =>
        Start(number, typeof(SiloProcess).Assembly.Location, (siloPort, gatewayPort) => SiloArguments.Format(new SiloArguments(number, redisEndpoint, layout, siloPort, gatewayPort)), output);

    /// <summary>
    /// Starts silo <paramref name="number"/>: the .NET program <paramref name="program"/> (an
    /// assembly path) with the arguments <paramref name="arguments"/> makes of a free silo port and
    /// a free gateway port on loopback. The program must stop when its standard input closes.
    /// </summary>
    public static SiloProcess Start(int number, string program, Func<int, int, IEnumerable<string>> arguments, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(output);
        var siloPort = FreePort();
        var gatewayPort = FreePort();
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(program);
        foreach (var argument in arguments(siloPort, gatewayPort))
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

    /// <summary>Kills the silo outright (SIGKILL on Linux): it leaves no word to the cluster, whose failure detection must find out.</summary>
    public async Task KillAsync()
    {
        try
        {
            _process.Kill();
        }
        catch (InvalidOperationException)
        {
            // It had already ended.
        }

        await _process.WaitForExitAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Asks the silo to shut down (closes its input: the silo leaves the cluster gracefully), and
    /// kills it if it has not within 15 seconds. The process object stays for <see cref="HasExited"/>.
    /// </summary>
    public async Task StopAsync()
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
    }

    /// <summary>Stops the silo (<see cref="StopAsync"/>) and lets go of the process.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync().ConfigureAwait(false);
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
