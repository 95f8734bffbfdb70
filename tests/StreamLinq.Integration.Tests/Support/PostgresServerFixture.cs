using System.Globalization;
using Npgsql;

namespace StreamLinq.Integration.Tests.Support;

/// <summary>
/// A PostgreSQL cluster of its own: initdb into a temporary directory and pg_ctl start on a free
/// loopback port, as the <c>postgres</c> user when the tests run as root (PostgreSQL refuses root).
/// </summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    private DirectoryInfo? _directory;
    private string _binaries = "";
    private bool _started;

    public int Port { get; private set; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=true;Include Error Detail=true";

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _binaries = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault() ?? ""
            : "";
        if (_binaries == "")
        {
            throw new InvalidOperationException("PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/initdb): run .ci/install-deps.");
        }

        _directory = Directory.CreateTempSubdirectory("streamlinq-postgres-");
        if (Environment.UserName == "root")
        {
            ServerProcess.Run("chown", "postgres:postgres", _directory.FullName);
        }

        Port = ServerProcess.FreePort();
        var data = Path.Combine(_directory.FullName, "data");
        AsPostgres("initdb", "-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8");
        AsPostgres("pg_ctl", "start", "-w", "-D", data, "-l", Path.Combine(_directory.FullName, "server.log"), "-o",
            $"-p {Port.ToString(CultureInfo.InvariantCulture)} -k {_directory.FullName} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        _started = true;
        DataSource = NpgsqlDataSource.Create(ConnectionString);
        await using var command = DataSource.CreateCommand("SELECT 1");
        await command.ExecuteScalarAsync();
    }

    /// <summary>Runs SQL and returns nothing.</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        if (DataSource is not null)
        {
            await DataSource.DisposeAsync();
        }

        if (_started)
        {
            AsPostgres("pg_ctl", "stop", "-D", Path.Combine(_directory!.FullName, "data"), "-m", "immediate", "-w");
        }

        _directory?.Delete(recursive: true);
    }

    private void AsPostgres(string tool, params string[] arguments)
    {
        var path = Path.Combine(_binaries, tool);
        if (Environment.UserName == "root")
        {
            ServerProcess.Run("runuser", ["-u", "postgres", "--", path, .. arguments]);
        }
        else
        {
            ServerProcess.Run(path, arguments);
        }
    }
}
