using System.Diagnostics;
using System.Text.Json;
using NATS.Client.JetStream;
using StreamLinq.Integration.Tests.Support;
using Xunit.Abstractions;

namespace StreamLinq.Integration.Tests.Checkpointing;

/// <summary>
/// Runs the engine as a child process (StreamLinq.CrashWorker) reading a Redis stream of numbered
/// records into PostgreSQL while a producer keeps appending to the stream (or the same through the
/// sample connector's file log, written on the public connector SDK alone: source "filelog"), kills it with SIGKILL
/// at chosen moments (before the context starts, during the replay of a restart, before and after
/// an output, half-way through a checkpoint write, at random times), restarts it with GetOrCreate
/// each time, and checks the table against the delivery guarantee. The end is decided by the
/// sink's commits (the sentinel record committed), never by an empty batch.
/// </summary>
/// <remarks>
/// <para>Kills per mode: 14 by default (two per kill target: the short form the default suite
/// runs); the soak run (<c>./build.sh soak</c>, which sets <c>STREAMLINQ_SOAK=1</c>) makes 100, and
/// <c>STREAMLINQ_CRASH_KILLS</c> sets any other count. The checkpoint-loss cases damage the checkpoint
/// directory after every kill (<c>STREAMLINQ_CRASH_LOSS_KILLS</c>: 6 by default, 25 in the soak run).</para>
/// <para>Recovery time is measured from a restarted worker's launch to its first committed
/// batch, and printed (min/median/max) with the kill, loss and duplicate counts.</para>
/// </remarks>
[Collection(ServersCollection.Name)]
[Trait("Category", "Soak")]
public sealed class CrashRecoveryTests(RedisServerFixture redis, PostgresServerFixture postgres, ITestOutputHelper log)
{
    private const int Prefilled = 1_500;
    private static readonly bool Soak = Environment.GetEnvironmentVariable("STREAMLINQ_SOAK") == "1";
    private static readonly int Kills = Setting("STREAMLINQ_CRASH_KILLS", Soak ? 100 : 14);
    private static readonly int LossKills = Setting("STREAMLINQ_CRASH_LOSS_KILLS", Soak ? 25 : 6);
    private static readonly string[] Targets = ["start", "recovery", "output", "output-committed", "checkpoint-temp-written", "checkpoint-renamed", "random"];
    private static readonly string[] StoreTargets = ["start", "recovery", "output", "output-committed", "random"];
    private static readonly string[] LossTargets = ["output", "output-committed", "checkpoint-temp-written", "checkpoint-renamed", "recovery", "random"];

    [Theory]
    [InlineData("redis")]
    [InlineData("filelog")]
    public async Task Exactly_once_keeps_every_record_exactly_once_across_kills(string source)
    {
        var result = await RunWithKillsAsync(source, "exactly-once", Kills, Targets, loss: null);
        Assert.Empty(result.Lost);
        Assert.Empty(result.Duplicated);
    }

    [Theory]
    [InlineData("redis")]
    [InlineData("filelog")]
    public async Task At_least_once_keeps_every_record_at_least_once_across_kills(string source)
    {
        var result = await RunWithKillsAsync(source, "at-least-once", Kills, Targets, loss: null);
        Assert.Empty(result.Lost);
    }

    [Theory]
    [InlineData("redis")]
    [InlineData("filelog")]
    public async Task At_most_once_never_writes_a_record_twice_across_kills(string source)
    {
        var result = await RunWithKillsAsync(source, "at-most-once", Kills, Targets, loss: null);
        Assert.Empty(result.Duplicated);
        Assert.All(result.Foreign, n => Assert.Fail($"record {n} was never produced"));
    }

    /// <summary>
    /// After every kill the checkpoint directory is damaged before the restart: the newest
    /// checkpoint or the newest two corrupted, all of them corrupted, or the directory deleted.
    /// The sink's commits are the truth: nothing is written twice and nothing is lost.
    /// </summary>
    [Theory]
    [InlineData("redis", "newest-1")]
    [InlineData("redis", "newest-2")]
    [InlineData("redis", "all")]
    [InlineData("redis", "directory")]
    [InlineData("filelog", "newest-2")]
    [InlineData("filelog", "directory")]
    public async Task Exactly_once_holds_when_checkpoints_are_lost_between_kills(string source, string loss)
    {
        var result = await RunWithKillsAsync(source, "exactly-once", LossKills, LossTargets, loss);
        Assert.True(result.Damaged > 0, "no checkpoint was there to damage");
        Assert.Empty(result.Lost);
        Assert.Empty(result.Duplicated);
    }

    /// <summary>The exactly-once kills with a NATS JetStream stream (two subjects, read by sequence ranges) as the source.</summary>
    [Fact]
    public async Task Exactly_once_keeps_every_record_exactly_once_across_kills_reading_nats_jetstream()
    {
        await using var nats = await NatsServer.StartAsync();
        _natsUrl = nats.Url;
        var result = await RunWithKillsAsync("nats", "exactly-once", Math.Max(LossKills, Kills / 2), Targets, loss: null);
        Assert.Empty(result.Lost);
        Assert.Empty(result.Duplicated);
    }

    /// <summary>
    /// The exactly-once kills with the checkpoints in PostgreSQL (PostgresCheckpointStore) instead of
    /// a directory; a kill can land anywhere in a checkpoint write, which is one statement.
    /// </summary>
    [Fact]
    public async Task Exactly_once_keeps_every_record_exactly_once_across_kills_with_checkpoints_in_postgres()
    {
        _store = "postgres";
        var result = await RunWithKillsAsync("redis", "exactly-once", Math.Max(LossKills, Kills / 2), StoreTargets, loss: null);
        Assert.Empty(result.Lost);
        Assert.Empty(result.Duplicated);
    }

    /// <summary>Where the workers of this test keep their checkpoints: <c>directory</c> or <c>postgres</c>.</summary>
    private string _store = "directory";

    /// <summary>The nats-server of a test whose source is <c>nats</c>.</summary>
    private string? _natsUrl;

    private sealed record Outcome(IReadOnlyList<long> Lost, IReadOnlyList<long> Duplicated, IReadOnlyList<long> Foreign, int Damaged);

    private async Task<Outcome> RunWithKillsAsync(string source, string mode, int kills, string[] targets, string? loss)
    {
        var name = mode.Replace('-', '_');
        var logDirectory = Path.Combine(Path.GetTempPath(), "streamlinq-crash-log-" + Guid.NewGuid().ToString("N"));
        var stream = source switch
        {
            "filelog" => logDirectory,
            "nats" => $"CRASH_{Guid.NewGuid():N}",
            _ => $"crash:{name}:{Guid.NewGuid():N}",
        };
        var table = $"crash_{name}";
        var checkpoints = _store == "directory" ? Path.Combine(Path.GetTempPath(), "streamlinq-crash-" + Guid.NewGuid().ToString("N")) : $"crash-{Guid.NewGuid():N}";
        var label = $"{source}, {mode}" + (loss is null ? "" : $", {loss} lost after each kill") + (_store == "directory" ? "" : $", checkpoints in {_store}");
        await postgres.ExecuteAsync($"DROP TABLE IF EXISTS {table}; CREATE TABLE {table} (n bigint NOT NULL)");
        await postgres.ExecuteAsync("DROP TABLE IF EXISTS streamlinq_commits");
        IProducer producer = source switch
        {
            "filelog" => new FileLogProducer(logDirectory),
            "nats" => await NatsProducer.CreateAsync(_natsUrl!, stream),
            _ => new Producer(redis.Connection.GetDatabase(), stream),
        };
        try
        {
            await producer.AppendAsync(Prefilled);
            using var producing = new CancellationTokenSource();
            var background = producer.RunAsync(producing.Token);

            var random = new Random(Environment.TickCount);
            var kinds = new Dictionary<string, int>();
            var recoveries = new List<long>();
            var damaged = 0;
            for (var kill = 0; kill < kills; kill++)
            {
                // Round robin over the targets, so that every kind of kill happens in every run; a
                // random number of marks passes first, so that a worker gets some way.
                var target = targets[kill % targets.Length];
                var run = await RunWorkerAsync(source, mode, stream, table, checkpoints, restart: kill > 0, target, skip: target is "start" or "recovery" ? 0 : random.Next(0, 8), randomDelay: random.Next(0, 1_500), whileRunning: null);
                kinds[run.KilledAt!] = kinds.GetValueOrDefault(run.KilledAt!) + 1;
                if (kill > 0 && run.FirstCommitMs is { } first)
                {
                    recoveries.Add(first);
                }

                if (loss is not null)
                {
                    damaged += Damage(checkpoints, loss);
                }
            }

            await producing.CancelAsync();
            await background;

            // The end: one more record, appended while a worker runs unharmed, committed by the
            // sink. Every record before it is in a batch before its batch.
            var final = await RunWorkerAsync(source, mode, stream, table, checkpoints, restart: true, target: null, skip: 0, randomDelay: 0, whileRunning: async () =>
            {
                var sentinel = await producer.AppendAsync(1);
                await WaitUntilCommittedAsync(producer, mode, table, producer.Count, sentinel);
            });
            recoveries.Add(final.FirstCommitMs ?? throw new InvalidOperationException("The final worker committed nothing."));

            var counts = await CountsAsync(table);
            var produced = producer.Count;
            var lost = Enumerable.Range(1, (int)produced).Select(n => (long)n).Where(n => !counts.ContainsKey(n)).ToList();
            var duplicated = counts.Where(c => c.Value > 1).Select(c => c.Key).Order().ToList();
            var foreign = counts.Keys.Where(n => n < 1 || n > produced).ToList();
            recoveries.Sort();
            log.WriteLine(
                $"{label}: {kills} SIGKILLs ({string.Join(", ", kinds.OrderBy(k => k.Key).Select(k => $"{k.Key}={k.Value}"))}), " +
                $"{produced} records produced ({produced - Prefilled - 1} appended while the kills went on), {counts.Values.Sum()} rows, " +
                $"{lost.Count} lost, {duplicated.Count} duplicated" + (loss is null ? "" : $", {damaged} checkpoint damages"));
            log.WriteLine(
                $"{label}: recovery time (restart to first committed batch, {recoveries.Count} restarts): " +
                $"min {recoveries[0]} ms, median {recoveries[recoveries.Count / 2]} ms, max {recoveries[^1]} ms");
            Assert.All(targets, t => Assert.True(kinds.ContainsKey(t), $"no kill at {t}"));
            return new Outcome(lost, duplicated, foreign, damaged);
        }
        finally
        {
            if (producer is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }

            foreach (var directory in new[] { checkpoints, logDirectory }.Where(Directory.Exists))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>Waits until the sink has committed <paramref name="sentinel"/>, the last record produced.</summary>
    private async Task WaitUntilCommittedAsync(IProducer producer, string mode, string table, long last, string sentinel)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (mode == "exactly-once")
            {
                // The sink's committed offsets: input 0's range ends at the sentinel.
                await using var command = postgres.DataSource.CreateCommand("SELECT offsets::text FROM streamlinq_commits WHERE sink_id = 'crash'");
                if (await command.ExecuteScalarAsync() is string offsets
                    && JsonDocument.Parse(offsets).RootElement.GetProperty("0").EnumerateArray().Any(r => producer.EndsAt(r, sentinel)))
                {
                    return;
                }
            }
            else
            {
                // No commit table behind a plain insert: the sentinel's own row is its commit.
                await using var command = postgres.DataSource.CreateCommand($"SELECT count(*) FROM {table} WHERE n = {last}");
                if (await command.ExecuteScalarAsync() is long found && found > 0)
                {
                    return;
                }
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(180))
            {
                throw new TimeoutException($"The {mode} worker did not commit the last record ({last}, id {sentinel}) within 180 s.");
            }

            await Task.Delay(100);
        }
    }

    private async Task<Dictionary<long, int>> CountsAsync(string table)
    {
        await using var command = postgres.DataSource.CreateCommand($"SELECT n, count(*) FROM {table} GROUP BY n");
        await using var reader = await command.ExecuteReaderAsync();
        var counts = new Dictionary<long, int>();
        while (await reader.ReadAsync())
        {
            counts[reader.GetInt64(0)] = (int)reader.GetInt64(1);
        }

        return counts;
    }

    /// <summary>
    /// Damages the checkpoint directory as a lost disk would: the newest checkpoint or two with
    /// their last bytes overwritten (the SHA-256 no longer matches), all of them, or the whole
    /// directory gone. Returns how many things it damaged.
    /// </summary>
    private static int Damage(string checkpoints, string loss)
    {
        if (!Directory.Exists(checkpoints))
        {
            return 0;
        }

        if (loss == "directory")
        {
            Directory.Delete(checkpoints, recursive: true);
            return 1;
        }

        var files = Directory.GetFiles(checkpoints, "checkpoint-*.ckpt").OrderDescending(StringComparer.Ordinal).ToList();
        var victims = loss switch
        {
            "newest-1" => files.Take(1),
            "newest-2" => files.Take(2),
            "all" => files,
            _ => throw new ArgumentException($"Unknown loss '{loss}'.", nameof(loss)),
        };
        var damaged = 0;
        foreach (var file in victims)
        {
            // Overwritten, not flipped: damaging a file twice leaves it damaged.
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Write);
            stream.Seek(-8, SeekOrigin.End);
            stream.Write("########"u8);
            damaged++;
        }

        return damaged;
    }

    private sealed record WorkerRun(string? KilledAt, long? FirstCommitMs);

    /// <summary>
    /// Runs the worker once. With a target it is killed with SIGKILL at the (skip+1)-th mark of
    /// that kind (or a random delay after its start for "random"), and the kind is returned;
    /// without one it runs <paramref name="whileRunning"/>, is asked to stop, and must exit cleanly.
    /// </summary>
    private async Task<WorkerRun> RunWorkerAsync(string source, string mode, string stream, string table, string checkpoints, bool restart, string? target, int skip, int randomDelay, Func<Task>? whileRunning)
    {
        var worker = Path.Combine(AppContext.BaseDirectory, "StreamLinq.CrashWorker.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        info.ArgumentList.Add(worker);
        info.Environment["CRASH_MODE"] = mode;
        info.Environment["CRASH_SOURCE"] = source;
        info.Environment["CRASH_REDIS"] = redis.Endpoint;
        info.Environment["CRASH_POSTGRES"] = postgres.ConnectionString;
        info.Environment["CRASH_CHECKPOINTS"] = checkpoints;
        info.Environment["CRASH_STREAM"] = stream;
        info.Environment["CRASH_TABLE"] = table;
        info.Environment["CRASH_RESTART"] = restart ? "1" : "0";
        info.Environment["CRASH_STORE"] = _store;
        if (_natsUrl is { } url)
        {
            info.Environment["CRASH_NATS"] = url;
        }

        info.Environment["CRASH_LINGER_MS"] = target is null ? "0" : "15";
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var errors = process.StandardError.ReadToEndAsync();
        var seen = 0;
        string? killedAt = null;
        long? firstCommit = null;
        var warnings = 0;
        var started = new TaskCompletionSource();
        var killed = new TaskCompletionSource();
        var reading = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("STARTED", StringComparison.Ordinal))
                {
                    started.TrySetResult();
                    if (target == "random")
                    {
                        // A kill at a random moment after the start, wherever the worker is then.
                        _ = Task.Delay(randomDelay).ContinueWith(_ => Kill("random"), TaskScheduler.Default);
                    }
                }
                else if (line == "MARK output-committed")
                {
                    firstCommit ??= clock.ElapsedMilliseconds;
                }
                else if (line.StartsWith("WARNING", StringComparison.Ordinal))
                {
                    warnings++;
                }

                if (target is not null && target != "random" && line == "MARK " + target && seen++ >= skip)
                {
                    Kill(target);
                }
            }
        });

        void Kill(string at)
        {
            try
            {
                killedAt ??= at;
                process.Kill(); // SIGKILL on Unix
                killed.TrySetResult();
            }
            catch (InvalidOperationException)
            {
                // Exited already: the wait below reports how.
            }
        }

        try
        {
            if (whileRunning is null)
            {
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            }
            else
            {
                await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
                await whileRunning();
                await process.StandardInput.WriteLineAsync("stop");
                await process.StandardInput.FlushAsync();
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            }
        }
        catch (TimeoutException)
        {
            process.Kill();
            throw new TimeoutException($"The {mode} worker (target {target ?? "none"}) neither reached its mark nor stopped in 60 s: {await errors}");
        }

        await reading;
        log.WriteLine($"run: {(restart ? "restart" : "first start")}, target {target ?? "none"}, ended after {clock.ElapsedMilliseconds} ms at {killedAt ?? "stop"}, " +
            $"first commit {(firstCommit is { } f ? f + " ms" : "none")}{(warnings > 0 ? $", {warnings} checkpoint warnings" : "")}");
        if (killedAt is null)
        {
            if (process.ExitCode != 0 || target is not null)
            {
                throw new InvalidOperationException($"The {mode} worker exited with {process.ExitCode} before its {target ?? "stop"}: {await errors}");
            }
        }

        return new WorkerRun(killedAt, firstCommit);
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var value) && value > 0 ? value : fallback;

    /// <summary>Appends records numbered 1, 2, 3... to the source's input, in bursts, until cancelled.</summary>
    private interface IProducer
    {
        long Count { get; }

        /// <summary>Appends <paramref name="records"/> records; returns where the last one ends, as <see cref="EndsAt"/> reads it.</summary>
        Task<string> AppendAsync(int records);

        /// <summary>About 150 records a second, a third of what a worker reads: it keeps up between kills.</summary>
        async Task RunAsync(CancellationToken cancellationToken)
        {
            try
            {
                while (true)
                {
                    await Task.Delay(40, cancellationToken);
                    await AppendAsync(6);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        /// <summary>Whether one range of a committed batch ends at <paramref name="end"/>.</summary>
        bool EndsAt(JsonElement range, string end);
    }

    /// <summary>The Redis stream's producer: XADD; a range ends at its last id.</summary>
    private sealed class Producer(StackExchange.Redis.IDatabase database, string stream) : IProducer
    {
        private long _count;

        public long Count => Interlocked.Read(ref _count);

        /// <summary>Appends <paramref name="records"/> records; returns the last one's stream id.</summary>
        public async Task<string> AppendAsync(int records)
        {
            var batch = database.CreateBatch();
            var adds = Enumerable.Range(0, records).Select(_ => batch.StreamAddAsync(stream, "n", Interlocked.Increment(ref _count))).ToArray();
            batch.Execute();
            var ids = await Task.WhenAll(adds);
            return ids[^1]!;
        }

        public bool EndsAt(JsonElement range, string end) => range.GetProperty("last").GetString() == end;
    }

    /// <summary>
    /// A JetStream stream of two subjects, the numbers alternating between them, each published
    /// once acknowledged; a range ends at its subject's last stream sequence.
    /// </summary>
    private sealed class NatsProducer : IProducer, IAsyncDisposable
    {
        private readonly NATS.Client.Core.NatsConnection _nats;
        private readonly NatsJSContext _js;
        private readonly string _stream;
        private long _count;

        private NatsProducer(NATS.Client.Core.NatsConnection nats, string stream)
        {
            _nats = nats;
            _js = new NatsJSContext(nats);
            _stream = stream;
        }

        public static async Task<NatsProducer> CreateAsync(string url, string stream)
        {
            var producer = new NatsProducer(new NATS.Client.Core.NatsConnection(new NATS.Client.Core.NatsOpts { Url = url, ConnectTimeout = TimeSpan.FromSeconds(10), RequestTimeout = TimeSpan.FromSeconds(10) }), stream);
            await producer._js.CreateStreamAsync(new NATS.Client.JetStream.Models.StreamConfig(stream, [stream + ".>"]));
            return producer;
        }

        public long Count => Interlocked.Read(ref _count);

        public async Task<string> AppendAsync(int records)
        {
            var acks = new List<Task<NATS.Client.JetStream.Models.PubAckResponse>>(records);
            for (var i = 0; i < records; i++)
            {
                var n = Interlocked.Increment(ref _count);
                acks.Add(_js.PublishAsync(_stream + (n % 2 == 0 ? ".a" : ".b"), System.Text.Encoding.UTF8.GetBytes(n.ToString(System.Globalization.CultureInfo.InvariantCulture))).AsTask());
            }

            var done = await Task.WhenAll(acks);
            foreach (var ack in done)
            {
                ack.EnsureSuccess();
            }

            return done[^1].Seq.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        public bool EndsAt(JsonElement range, string end) => range.GetProperty("last").ToString() == end;

        public ValueTask DisposeAsync() => _nats.DisposeAsync();
    }

    /// <summary>
    /// The sample file log's producer: numbers alternate between two partition files, one write
    /// per burst; a range ends at its partition's byte offset.
    /// </summary>
    private sealed class FileLogProducer : IProducer
    {
        private readonly string _directory;
        private readonly long[] _lengths = new long[2];
        private long _count;

        public FileLogProducer(string directory)
        {
            _directory = directory;
            Directory.CreateDirectory(directory);
        }

        public long Count => Interlocked.Read(ref _count);

        public async Task<string> AppendAsync(int records)
        {
            var lines = new System.Text.StringBuilder[] { new(), new() };
            var last = 0;
            for (var i = 0; i < records; i++)
            {
                var n = Interlocked.Increment(ref _count);
                last = (int)(n % 2);
                lines[last].Append(n.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
            }

            for (var partition = 0; partition < 2; partition++)
            {
                if (lines[partition].Length > 0)
                {
                    var bytes = System.Text.Encoding.UTF8.GetBytes(lines[partition].ToString());
                    await using var file = new FileStream(Path.Combine(_directory, $"p{partition}.log"), FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
                    await file.WriteAsync(bytes);
                    _lengths[partition] += bytes.Length;
                }
            }

            return $"p{last}.log:{_lengths[last]}";
        }

        public bool EndsAt(JsonElement range, string end) =>
            $"{range.GetProperty("partition").GetString()}:{range.GetProperty("to").GetInt64()}" == end;
    }
}
