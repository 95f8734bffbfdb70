using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace StreamLinq.DeliveryBenchmark;

/// <summary>
/// A redis-server and a PostgreSQL cluster of the benchmark's own, on free loopback ports in a
/// temporary directory (PostgreSQL as the <c>postgres</c> user when run as root), stopped on dispose.
/// </summary>
internal sealed class LocalServers : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("streamlinq-bench-");
    private readonly string _postgresBin;
    private readonly Process _redis;

    public LocalServers()
    {
        RedisPort = FreePort();
        PostgresPort = FreePort();
        var redisInfo = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true };
        foreach (var argument in new[] { "--port", RedisPort.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _directory.FullName, "--save", "", "--appendonly", "no" })
        {
            redisInfo.ArgumentList.Add(argument);
        }

        _redis = Process.Start(redisInfo)!;
        _redis.OutputDataReceived += (_, _) => { };
        _redis.BeginOutputReadLine();

        _postgresBin = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).OrderDescending().First();
        var root = Environment.UserName == "root";
        if (root)
        {
            Run("chown", "postgres:postgres", _directory.FullName);
        }

        var data = Path.Combine(_directory.FullName, "pg");
        AsPostgres(root, "initdb", "-D", data, "-U", "postgres", "-A", "trust", "--no-sync");
        AsPostgres(root, "pg_ctl", "start", "-w", "-D", data, "-l", Path.Combine(_directory.FullName, "pg.log"), "-o",
            $"-p {PostgresPort.ToString(CultureInfo.InvariantCulture)} -k {_directory.FullName} -c listen_addresses=127.0.0.1");
        Stop = () => AsPostgres(root, "pg_ctl", "stop", "-D", data, "-m", "fast", "-w");
    }

    public int RedisPort { get; }

    public int PostgresPort { get; }

    private Action Stop { get; }

    public void Dispose()
    {
        Stop();
        _redis.Kill();
        _redis.WaitForExit();
        _directory.Delete(recursive: true);
    }

    private void AsPostgres(bool root, string tool, params string[] arguments)
    {
        var path = Path.Combine(_postgresBin, tool);
        if (root)
        {
            Run("runuser", ["-u", "postgres", "--", path, .. arguments]);
        }
        else
        {
            Run(path, arguments);
        }
    }

    private static void Run(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} failed: {output.Result}{error.Result}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
