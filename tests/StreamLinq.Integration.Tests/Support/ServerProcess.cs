using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace StreamLinq.Integration.Tests.Support;

/// <summary>Small helpers for starting the real servers the tests run against.</summary>
internal static class ServerProcess
{
    /// <summary>A loopback port free at the time of the call.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Runs a command to completion, throwing with its output when it fails.</summary>
    public static string Run(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish in 2 minutes.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {output.Result}{error.Result}");
        }

        return output.Result;
    }

    /// <summary>Sends a signal (STOP, CONT, KILL) to a running process.</summary>
    public static void Signal(Process process, string signal)
    {
        if (!process.HasExited)
        {
            Run("kill", "-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Finds an executable on the PATH or in the given directories.</summary>
    public static string Find(string name, params string[] directories)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(directories)
            .Select(d => Path.Combine(d, name))
            .FirstOrDefault(File.Exists);
        return path ?? throw new InvalidOperationException($"'{name}' is not installed: run .ci/install-deps.");
    }
}
