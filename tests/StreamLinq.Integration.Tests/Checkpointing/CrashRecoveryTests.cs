using System.Diagnostics;
using StreamLinq.Integration.Tests.Support;
using Xunit.Abstractions;

namespace StreamLinq.Integration.Tests.Checkpointing;

/// <summary>
/// Runs the engine as a child process (StreamLinq.CrashWorker) reading a Redis stream of N
/// numbered records into PostgreSQL, kills it with SIGKILL at random moments — before and after
/// an output, half-way through a checkpoint write, at random times — restarts it with
/// GetOrCreate each time, and checks the table against the delivery guarantee once the stream
/// is drained.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class CrashRecoveryTests(RedisServerFixture redis, PostgresServerFixture postgres, ITestOutputHelper log)
{
    private const int Records = 4_000;
    private const int Kills = 20;
    private static readonly string[] Targets = ["output", "output-committed", "checkpoint-temp-written", "checkpoint-renamed", "random"];

    [Fact]
    public async Task Exactly_once_keeps_every_record_exactly_once_across_kills()
    {
        var counts = await RunWithKillsAsync("exactly-once");
        Assert.Equal(Records, counts.Count);
        Assert.All(Enumerable.Range(1, Records), n => Assert.Equal(1, counts.GetValueOrDefault(n)));
    }

    [Fact]
    public async Task At_least_once_keeps_every_record_at_least_once_across_kills()
    {
        var counts = await RunWithKillsAsync("at-least-once");
        Assert.All(Enumerable.Range(1, Records), n => Assert.True(counts.GetValueOrDefault(n) >= 1, $"record {n} was lost"));
    }

    [Fact]
    public async Task At_most_once_never_writes_a_record_twice_across_kills()
    {
        var counts = await RunWithKillsAsync("at-most-once");
        Assert.All(counts, c => Assert.True(c.Value == 1, $"record {c.Key} was written {c.Value} times"));
        Assert.All(counts.Keys, n => Assert.InRange(n, 1, Records));
    }

    private async Task<Dictionary<long, int>> RunWithKillsAsync(string mode)
    {
        var name = mode.Replace('-', '_');
        var stream = $"crash:{name}:{Guid.NewGuid():N}";
        var table = $"crash_{name}";
        var checkpoints = Directory.CreateTempSubdirectory("streamlinq-crash-");
        try
        {
            await postgres.ExecuteAsync($"DROP TABLE IF EXISTS {table}; CREATE TABLE {table} (n bigint NOT NULL)");
            await postgres.ExecuteAsync("DROP TABLE IF EXISTS streamlinq_commits");
            var database = redis.Connection.GetDatabase();
            var batch = database.CreateBatch();
            var adds = Enumerable.Range(1, Records).Select(n => batch.StreamAddAsync(stream, "n", n)).ToArray();
            batch.Execute();
            await Task.WhenAll(adds);

            var random = new Random(Environment.TickCount);
            var kinds = new Dictionary<string, int>();
            var kills = 0;
            var runs = 0;
            while (kills < Kills)
            {
                runs++;
                var target = Targets[random.Next(Targets.Length)];
                var skip = random.Next(0, 2);
                var outcome = await RunWorkerAsync(mode, stream, table, checkpoints.FullName, target, skip, random.Next(0, 400));
                if (outcome == "drained")
                {
                    throw new InvalidOperationException($"The stream drained after {kills} kills; raise the record count.");
                }

                kills++;
                kinds[outcome] = kinds.GetValueOrDefault(outcome) + 1;
            }

            log.WriteLine($"{mode}: {kills} kills in {runs} runs: {string.Join(", ", kinds.Select(k => $"{k.Key}={k.Value}"))}");
            Assert.Contains(kinds.Keys, k => k.StartsWith("output", StringComparison.Ordinal));
            Assert.Contains(kinds.Keys, k => k.StartsWith("checkpoint", StringComparison.Ordinal));
            Assert.Equal("drained", await RunWorkerAsync(mode, stream, table, checkpoints.FullName, target: null, skip: 0, randomDelay: 0));

            await using var command = postgres.DataSource.CreateCommand($"SELECT n, count(*) FROM {table} GROUP BY n");
            await using var reader = await command.ExecuteReaderAsync();
            var counts = new Dictionary<long, int>();
            while (await reader.ReadAsync())
            {
                counts[reader.GetInt64(0)] = (int)reader.GetInt64(1);
            }

            log.WriteLine($"{mode}: {counts.Count} distinct of {Records}, {counts.Values.Sum()} rows");
            return counts;
        }
        finally
        {
            checkpoints.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Runs the worker once. With a target it is killed with SIGKILL at the (skip+1)-th mark of
    /// that kind (or after a random delay for "random") and the kind of the mark it died at is
    /// returned; without one it must drain the stream and exit cleanly.
    /// </summary>
    private async Task<string> RunWorkerAsync(string mode, string stream, string table, string checkpoints, string? target, int skip, int randomDelay)
    {
        var worker = Path.Combine(AppContext.BaseDirectory, "StreamLinq.CrashWorker.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(worker);
        info.Environment["CRASH_MODE"] = mode;
        info.Environment["CRASH_REDIS"] = redis.Endpoint;
        info.Environment["CRASH_POSTGRES"] = postgres.ConnectionString;
        info.Environment["CRASH_CHECKPOINTS"] = checkpoints;
        info.Environment["CRASH_STREAM"] = stream;
        info.Environment["CRASH_TABLE"] = table;
        info.Environment["CRASH_LINGER_MS"] = target is null ? "0" : "15";
        using var process = Process.Start(info)!;
        var errors = process.StandardError.ReadToEndAsync();
        var seen = 0;
        string? killedAt = null;
        var started = Stopwatch.StartNew();
        long startup = 0;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (await process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
            {
                if (line.StartsWith("STARTED", StringComparison.Ordinal))
                {
                    startup = started.ElapsedMilliseconds;
                    if (target == "random")
                    {
                        // A kill at a random moment after the start, wherever the worker is then.
                        _ = Task.Delay(randomDelay).ContinueWith(_ => process.Kill(), TaskScheduler.Default);
                        killedAt = "random";
                    }
                }

                if (line.StartsWith("WARNING", StringComparison.Ordinal))
                {
                    log.WriteLine(line);
                }

                if (target is null)
                {
                    continue;
                }

                if (target != "random" && line == "MARK " + target && seen++ >= skip)
                {
                    killedAt = target;
                    process.Kill();
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"The {mode} worker neither reached its mark nor drained in 60 s: {await errors}");
        }

        await process.WaitForExitAsync();
        log.WriteLine($"run: started in {startup} ms, ended after {started.ElapsedMilliseconds} ms at {killedAt ?? "drain"}");
        if (process.ExitCode == 0)
        {
            return "drained";
        }

        return killedAt ?? throw new InvalidOperationException($"The {mode} worker exited with {process.ExitCode}: {await errors}");
    }
}
