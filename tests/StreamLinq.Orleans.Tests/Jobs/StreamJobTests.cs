using Orleans.Runtime;
using StreamLinq.Orleans.Tests.Support;

namespace StreamLinq.Orleans.Tests.Jobs;

/// <summary>A job started, inspected and stopped by name from a client: status, plan, failures.</summary>
[Collection(ClusterCollection.Name)]
public sealed class StreamJobTests(ClusterFixture fixture)
{
    private static Script<int> Spread() =>
        new(Enumerable.Range(0, 3).Select(b => Enumerable.Range(0, 6).Select(p => Enumerable.Range(0, 10 + p).Select(i => (b * 100) + i).ToArray()).ToArray()).ToArray());

    [Fact]
    public async Task Executors_on_several_silos_read_every_record_once_and_the_status_counts_them_per_silo()
    {
        var script = Spread();
        var seen = new BatchCollector<int>();
        var job = TestJobs.Define(context => context.AddInput(new ScriptedSource<int>("Spread", script)).ForEachBatch(seen.Add));

        var status = await BothRuns.RunJobAsync(fixture, job, 3);

        Assert.False(status.IsRunning);
        Assert.Equal(3, status.BatchesDone);
        Assert.Equal(new BatchTime(3 * TestJobs.Interval.Ticks).ToDateTimeOffset(), status.LastBatchTime);
        Assert.Equal(script.Batches.Sum(b => b.Sum(p => p.Length)), status.RecordsPerSilo.Values.Sum());
        Assert.True(status.RecordsPerSilo.Count > 1, $"All executors ran on one silo: {string.Join(", ", status.RecordsPerSilo)}");
        Assert.Equal(script.Batches.Select(b => b.SelectMany(p => p).Order().ToList()), seen.Batches(3).Select(b => b.Order().ToList()));
        Assert.Empty(status.Failures);
        Assert.Equal(1, status.Epoch);
    }

    [Fact]
    public async Task Explain_names_the_map_stage_the_shuffle_key_and_the_reduce_partitions()
    {
        var job = TestJobs.Define(context => context.AddInput(new ScriptedSource<int>("Spread", Spread()))
            .Where(x => x > 3).GroupBy(x => x % 7).Select(g => new { g.Key, N = g.Count() }).ForEachBatch((_, _) => { }));

        var plan = await fixture.Cluster.Client.GetStreamJob(job).ExplainAsync();

        Assert.Contains("map stage, 6 partition(s) of Spread#0, one executor each: Map: Where(x => x > 3) ⇒ Shuffle#0 (partial aggregation: count)", plan);
        Assert.Contains($"shuffle: hash by x => x % 7 into {TestJobs.KeyPartitions} key partitions", plan);
        Assert.Contains($"reduce stage, {TestJobs.KeyPartitions} partition(s)", plan);
        Assert.Contains("GroupAggregate", plan);
    }

    [Fact]
    public async Task User_code_that_throws_fails_the_batch_visibly_and_stops_the_job()
    {
        var job = TestJobs.Define(context => context.AddInput(new ScriptedSource<int>("Spread", Spread()))
            .Select(x => Check(x)).ForEachBatch((_, _) => { }));
        var grain = fixture.Cluster.Client.GetStreamJob(job);
        await grain.StartAsync();
        var clock = TestJobs.Clock(job);
        clock.Advance(TestJobs.Interval * 3);

        var status = await BothRuns.WaitAsync(grain, s => !s.IsRunning, "the failure");

        Assert.Equal(2, status.BatchesDone);
        var failure = Assert.Single(status.Failures);
        Assert.True(failure.Contains("record 205 is bad"), failure);
        Assert.Contains(new BatchTime(3 * TestJobs.Interval.Ticks).ToString(), failure);
    }

    private static int Check(int record) => record == 205 ? throw new InvalidOperationException("record 205 is bad") : record;

    [Fact]
    public async Task A_driver_that_activates_again_resumes_after_its_last_checkpoint_with_a_higher_epoch()
    {
        var script = new Script<int>(Enumerable.Range(0, 4).Select(b => Enumerable.Range(0, 3).Select(p => new[] { (b * 100) + p }).ToArray()).ToArray());
        var seen = new BatchCollector<int>();
        var job = TestJobs.DefineCheckpointed(context => context.AddInput(new ScriptedSource<int>("Numbered", script)).ForEachBatch(seen.Add));
        var first = await BothRuns.RunJobAsync(fixture, job, 2);
        Assert.Equal(1, first.Epoch);

        // The stopped driver is idle: collecting it makes the next call activate a new one, which
        // knows nothing but what the checkpoint store holds.
        await fixture.Cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var grain = fixture.Cluster.Client.GetStreamJob(job);
        await grain.StartAsync();
        TestJobs.Clock(job).Advance(TestJobs.Interval);
        var second = await BothRuns.WaitAsync(grain, s => s.BatchesDone >= 1, "the first batch after the restart");
        await grain.StopAsync();

        Assert.Equal(2, second.Epoch);
        Assert.Equal(1, second.BatchesDone);
        Assert.Equal(new BatchTime(3 * TestJobs.Interval.Ticks).ToDateTimeOffset(), second.LastBatchTime);
        Assert.Equal([[0, 1, 2], [100, 101, 102], [200, 201, 202]], seen.Batches(3).Select(b => b.Order().ToArray()));
    }

    [Fact]
    public async Task A_job_no_silo_registered_is_refused_by_name()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => fixture.Cluster.Client.GetStreamJob("no-such-job").StartAsync());
        Assert.Contains("no-such-job", error.Message);
    }
}
