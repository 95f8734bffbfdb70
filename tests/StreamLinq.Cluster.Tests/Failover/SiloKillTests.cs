using System.Diagnostics;
using StackExchange.Redis;
using StreamLinq.Cluster.Tests.Support;
using StreamLinq.ClusterWorker;
using StreamLinq.Integration.Tests.Support;
using StreamLinq.Orleans;
using Xunit.Abstractions;
using YahooStreamingBenchmark.Cluster;

namespace StreamLinq.Cluster.Tests.Failover;

/// <summary>
/// Issue 16's multi-process test on loopback: 3 silo processes (StreamLinq.ClusterWorker, Orleans
/// membership in Redis) run a job reading uniquely numbered records from 6 Redis streams into
/// PostgreSQL while a producer keeps appending; the test kills silos with SIGKILL (every third
/// kill the silo hosting the driver, the others a random one of the rest), restarts each killed
/// silo, adds a silo a third of the way through (the driver must place the job's grains again over
/// the silos before the next kill) and removes one gracefully two thirds of the way through. At the end every number produced must be in the table, once. It prints the failure
/// detection and recovery times (kill to the next batch the driver completes) as min / median / max.
/// </summary>
/// <remarks>
/// In the default suite: 30 kills into the exactly-once sink and 10 into the idempotent one
/// (together about 5.5 minutes on the shared 2-core machine); 100 each with <c>STREAMLINQ_SOAK=1</c>,
/// which <c>./build.sh cluster-kill</c> sets (docs/cluster.md, "The kill test").
/// <c>STREAMLINQ_CLUSTER_KILLS</c> sets both. <c>STREAMLINQ_CLUSTER_SEED</c> replays a run's
/// schedule (the seed is printed).
/// </remarks>
[Trait("Category", "ClusterKill")]
public sealed class SiloKillTests(RedisServerFixture redis, PostgresServerFixture postgres, ITestOutputHelper log)
    : IClassFixture<RedisServerFixture>, IClassFixture<PostgresServerFixture>
{
    private const int Streams = 6;
    private const int KeyPartitions = 4;
    private const int IntervalMilliseconds = 250;
    private const int RecordsPerSecond = 1_000;
    private static readonly bool Soak = Environment.GetEnvironmentVariable("STREAMLINQ_SOAK") == "1";
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Exactly_once_into_postgres_loses_and_doubles_no_record_across_silo_kills_restarts_and_rescaling()
    {
        var outcome = await RunAsync("exactly-once", Setting("STREAMLINQ_CLUSTER_KILLS", Soak ? 100 : 30));
        Assert.True(outcome.DriverKills >= outcome.Kills / 3, $"only {outcome.DriverKills} of {outcome.Kills} kills hit the driver's silo");
        Assert.Empty(outcome.Lost);
        Assert.Empty(outcome.Duplicated);
        Assert.Empty(outcome.Foreign);
    }

    [Fact]
    public async Task At_least_once_into_an_idempotent_sink_loses_no_record_across_silo_kills_restarts_and_rescaling()
    {
        var outcome = await RunAsync("idempotent", Setting("STREAMLINQ_CLUSTER_KILLS", Soak ? 100 : 10));
        Assert.True(outcome.DriverKills >= outcome.Kills / 3, $"only {outcome.DriverKills} of {outcome.Kills} kills hit the driver's silo");
        Assert.Empty(outcome.Lost);
        Assert.Empty(outcome.Foreign);
    }

    private sealed record Outcome(int Kills, int DriverKills, IReadOnlyList<long> Lost, IReadOnlyList<long> Duplicated, IReadOnlyList<long> Foreign);

    private async Task<Outcome> RunAsync(string sink, int kills)
    {
        var seed = Setting("STREAMLINQ_CLUSTER_SEED", Environment.TickCount & int.MaxValue);
        var random = new Random(seed);
        var worker = new WorkerArguments(redis.Endpoint, Guid.NewGuid().ToString("N"), postgres.ConnectionString, Streams, KeyPartitions, IntervalMilliseconds, sink, 0, 0);
        await postgres.ExecuteAsync($"CREATE TABLE {worker.Table} (n bigint NOT NULL{(sink == "idempotent" ? " PRIMARY KEY" : "")})");
        log.WriteLine($"{sink}: {kills} kills, seed {seed}, {Streams} streams, {KeyPartitions} key partitions, {IntervalMilliseconds} ms batches, {RecordsPerSecond} records/s");

        await using var cluster = await KillCluster.StartAsync(worker, silos: 3);

        // A connection of its own with a long time-out: on a starved machine an append can wait
        // seconds, and one that timed out might still have been applied, uncounted.
        await using var appends = await ConnectionMultiplexer.ConnectAsync($"{redis.Endpoint},asyncTimeout=120000,syncTimeout=120000");
        var producer = new NumberProducer(appends.GetDatabase(), worker.StreamKeys, RecordsPerSecond);
        var detections = new List<TimeSpan>();
        var recoveries = new List<TimeSpan>();
        var driverKills = 0;
        try
        {
            producer.Start();
            await cluster.Job.StartAsync();
            await NextBatchAsync(cluster, after: null);

            for (var kill = 0; kill < kills; kill++)
            {
                if (kill == kills / 3)
                {
                    var watch = Stopwatch.StartNew();
                    var before = await StatusAsync(cluster);
                    var joined = await cluster.JoinAsync();
                    var active = watch.Elapsed;
                    await RebalancedAsync(cluster, before);
                    var moved = watch.Elapsed;
                    var next = await NextBatchAsync(cluster, (await StatusAsync(cluster)).LastBatchTime);
                    log.WriteLine($"silo {joined.Number} joined gracefully: active {active.TotalSeconds:F2} s after its start, the job's grains placed again over the silos {moved.TotalSeconds:F2} s after it (it hosts {await cluster.JobGrainsOnAsync(joined)} of the executors and reducers), the next batch {next.TotalSeconds:F2} s later");
                }

                if (kill == 2 * kills / 3)
                {
                    var leaving = cluster.Live[random.Next(cluster.Live.Count)];
                    var before = (await StatusAsync(cluster)).LastBatchTime;
                    var watch = Stopwatch.StartNew();
                    await cluster.LeaveAsync(leaving);
                    var next = await NextBatchAsync(cluster, before);
                    log.WriteLine($"silo {leaving.Number} left gracefully in {watch.Elapsed.TotalSeconds:F2} s; the next batch completed {next.TotalSeconds:F2} s after it was asked to leave");
                }

                var status = await StatusAsync(cluster);
                // Every third kill the driver's silo, the others a random silo among the rest, so
                // both failovers (driver, and executors and reducers alone) are well represented.
                var driver = cluster.SiloOf(status);
                var others = cluster.Live.Where(s => s != driver).ToList();
                var target = kill % 3 == 0 && driver is not null ? driver : others[random.Next(others.Count)];
                var driverKilled = driver == target;
                if (driverKilled)
                {
                    driverKills++;
                }

                var killed = Stopwatch.StartNew();
                await cluster.KillAndRestartAsync(target);
                var recovered = SinceKillAsync(NextBatchAsync(cluster, status.LastBatchTime), killed);
                detections.Add(await cluster.WaitForDeathAsync(target, RecoveryTimeout));
                recoveries.Add(await recovered);
                await cluster.WaitForMembershipAsync(RecoveryTimeout);
                log.WriteLine($"kill {kill + 1}: silo {target.Number}{(driverKilled ? " (the driver's)" : "")} at batch {status.LastBatchTime:HH:mm:ss.fff}, epoch {status.Epoch}: declared dead after {detections[^1].TotalSeconds:F2} s, the next batch after {recoveries[^1].TotalSeconds:F2} s, its restart active after {killed.Elapsed.TotalSeconds:F2} s");
                await Task.Delay(random.Next(200, 1_000));
            }
        }
        finally
        {
            await producer.StopAsync();
        }

        log.WriteLine($"{kills} kills ({driverKills} of the driver's silo); produced {producer.Appended:N0} records");
        log.WriteLine($"failure detection (kill to the silo declared dead): {Summary(detections)}");
        log.WriteLine($"recovery (kill to the next batch completed): {Summary(recoveries)}");
        var outcome = await CheckAsync(cluster, worker, producer.Appended, kills, driverKills);
        log.WriteLine($"lost {outcome.Lost.Count}, duplicated {outcome.Duplicated.Count}, never produced {outcome.Foreign.Count}");
        return outcome;
    }

    // Waits until the table holds every number produced (or the time-out), then for one more batch
    // so a late replay would show, and counts.
    private async Task<Outcome> CheckAsync(KillCluster cluster, WorkerArguments worker, long produced, int kills, int driverKills)
    {
        var drain = Stopwatch.StartNew();
        while (drain.Elapsed < RecoveryTimeout && await ScalarAsync($"SELECT count(DISTINCT n) FROM {worker.Table} WHERE n BETWEEN 1 AND {produced}") < produced)
        {
            await Task.Delay(200);
        }

        await NextBatchAsync(cluster, (await StatusAsync(cluster)).LastBatchTime);
        var seen = new Dictionary<long, long>();
        await using (var command = postgres.DataSource.CreateCommand($"SELECT n, count(*) FROM {worker.Table} GROUP BY n"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                seen[reader.GetInt64(0)] = reader.GetInt64(1);
            }
        }

        var lost = new List<long>();
        for (var n = 1L; n <= produced; n++)
        {
            if (!seen.ContainsKey(n))
            {
                lost.Add(n);
            }
        }

        if (lost.Count > 0)
        {
            // Per stream (a source partition), how many and from where to where: a lost batch shows on
            // every stream over the same span, a lost key partition on its streams alone.
            log.WriteLine($"numbers lost, by stream: {string.Join("; ", lost.GroupBy(n => n % Streams).Select(g => $"stream {g.Key}: {g.Count()} from {g.Min()} to {g.Max()}"))}");
            var final = await cluster.StatusAsync(CallTimeout);
            log.WriteLine($"the job's last failures: {string.Join(" | ", final?.Failures.TakeLast(10) ?? ["(no answer)"])}");
        }

        return new Outcome(
            kills,
            driverKills,
            lost,
            [.. seen.Where(p => p.Value > 1).Select(p => p.Key).Order()],
            [.. seen.Keys.Where(n => n < 1 || n > produced).Order()]);
    }

    // Until the driver has completed a batch later than `after`; no batch within the time-out (the
    // job stopped or hangs) fails the test with the job's last failures and the silos' output.
    private async Task<TimeSpan> NextBatchAsync(KillCluster cluster, DateTimeOffset? after)
    {
        var watch = Stopwatch.StartNew();
        StreamJobStatus? status = null;
        while (watch.Elapsed < RecoveryTimeout)
        {
            status = await cluster.StatusAsync(CallTimeout);
            if (status is { LastBatchTime: { } last } && (after is null || last > after))
            {
                return watch.Elapsed;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException(
            $"no batch completed after {after?.ToString("O") ?? "the start"} within {RecoveryTimeout.TotalSeconds} s; the job: " +
            (status is null ? "did not answer" : $"running {status.IsRunning}, epoch {status.Epoch}, last batch {status.LastBatchTime:O}, failures: {string.Join(" | ", status.Failures.TakeLast(3))}") +
            $"{Environment.NewLine}the silos' output:{Environment.NewLine}{cluster.Tail()}");
    }

    // Rescaling: the driver places the job's grains again at the first batch boundary after a
    // silo joins (the driver did not move: no kill runs meanwhile).
    private static async Task RebalancedAsync(KillCluster cluster, StreamJobStatus before)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < RecoveryTimeout)
        {
            if (await cluster.StatusAsync(CallTimeout) is { } status && status.DriverSilo == before.DriverSilo && status.Rebalances > before.Rebalances)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"a silo joined but the job's grains were not placed again within {RecoveryTimeout.TotalSeconds} s.{Environment.NewLine}{cluster.Tail()}");
    }

    private static async Task<TimeSpan> SinceKillAsync(Task wait, Stopwatch killed)
    {
        await wait;
        return killed.Elapsed;
    }

    private static async Task<StreamJobStatus> StatusAsync(KillCluster cluster) =>
        await cluster.StatusAsync(RecoveryTimeout) ?? throw new TimeoutException($"the job's driver did not answer within {RecoveryTimeout.TotalSeconds} s.{Environment.NewLine}{cluster.Tail()}");

    private async Task<long> ScalarAsync(string sql)
    {
        await using var command = postgres.DataSource.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static string Summary(List<TimeSpan> times)
    {
        var sorted = times.Select(t => t.TotalSeconds).Order().ToArray();
        return sorted.Length == 0 ? "none" : $"min {sorted[0]:F2} s / median {sorted[sorted.Length / 2]:F2} s / max {sorted[^1]:F2} s";
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= 0 ? value : fallback;
}
