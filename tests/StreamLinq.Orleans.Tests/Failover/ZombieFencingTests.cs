using System.Text.Json.Nodes;
using Orleans.Runtime;
using StreamLinq.Checkpointing;
using StreamLinq.Orleans.Tests.Support;

namespace StreamLinq.Orleans.Tests.Failover;

/// <summary>
/// A zombie driver (an activation of an older epoch still giving orders after another took over)
/// commits nothing: reducers that took orders of the newer epoch refuse its orders, and a sink
/// that keeps commit records refuses its epoch; a driver that finds a newer epoch's record in the
/// checkpoint store writes and deletes nothing more.
/// </summary>
[Collection(FailoverCollection.Name)]
public sealed class ZombieFencingTests(FailoverFixture fixture)
{
    private static readonly Script<int> Numbers = new(Enumerable.Range(0, 4).Select(b =>
        Enumerable.Range(0, 3).Select(p => Enumerable.Range(0, 4).Select(i => (b * 100) + (p * 10) + i).ToArray()).ToArray()).ToArray());

    [Fact]
    public async Task An_order_of_the_replaced_drivers_epoch_is_refused_and_its_commit_too()
    {
        var sink = new CommitLog<int>();
        var name = FailoverJobs.Define(context => context.AddInput(new ScriptedSource<int>("Numbers", Numbers))
            .Select(x => new KeyValuePair<int, int>(x % 8, x)).ReduceByKey((a, b) => a + b).Select(p => p.Value).WriteTo(sink, DeliveryGuarantee.ExactlyOnce));
        var job = fixture.Cluster.Client.GetStreamJob(name);
        await job.StartAsync();
        await FailoverRuns.RunBatchesAsync(job, name, 1, 2);
        await job.StopAsync();

        // The stopped driver is idle: collected, the next start activates a driver of the next epoch.
        await fixture.Cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        await job.StartAsync();
        var status = await FailoverRuns.RunBatchesAsync(job, name, 3, 3);
        await job.StopAsync();
        Assert.Equal(2, status.Epoch);
        var written = BothRuns.Sorted(sink.Batches(4));

        // The epoch-1 driver's order for the next batch, as a zombie would send it.
        var time = new BatchTime(4 * TestJobs.Interval.Ticks);
        var zombie = new ReduceOrder(name, time.Ticks, 0, Numbers.PartitionCount, Epoch: 1, "{}", Previous: 3 * TestJobs.Interval.Ticks, ExpectedTasks: []);
        var refused = await Assert.ThrowsAsync<StaleEpochException>(() => fixture.Cluster.Client.GetGrain<IReducerGrain>(StreamJobGrain.ReducerKey(name, 0)).ReduceAsync(zombie));
        Assert.Contains("epoch 1", refused.Message);
        Assert.Contains("epoch 2", refused.Message);

        var (output, partition, _) = sink.Records().First(r => r.Epoch == 2);
        var commit = Assert.Throws<InvalidOperationException>(() => sink.CommitBatchAsync([42], new BatchCommit(output, time, "{}") { Partition = partition, Epoch = 1 }, CancellationToken.None).GetAwaiter().GetResult());
        Assert.Contains("epoch 2", commit.Message);
        Assert.Equal(written, BothRuns.Sorted(sink.Batches(4)));
    }

    [Fact]
    public async Task A_driver_that_finds_a_newer_epochs_record_in_the_store_writes_and_deletes_nothing_more()
    {
        var seen = new BatchCollector<int>();
        var name = FailoverJobs.Define(context => context.AddInput(new ScriptedSource<int>("Numbers", Numbers)).ForEachBatch(seen.Add));
        var job = fixture.Cluster.Client.GetStreamJob(name);
        await job.StartAsync();
        var running = await FailoverRuns.RunBatchesAsync(job, name, 1, 2);

        // What a driver of the next epoch that took over and stopped the job would have written
        // after this one's newest record (stopped: the probe's next driver then stays idle too).
        var store = new DirectoryCheckpointStore(Path.Combine(FailoverJobs.CheckpointDirectory, name));
        var newest = (await store.ListAsync(CancellationToken.None)).Where(CheckpointLayout.IsRecord).Select(CheckpointLayout.RecordOf).Max();
        var record = JsonNode.Parse((await store.ReadAsync(CheckpointLayout.Record(newest), CancellationToken.None))!)!;
        record["epoch"] = running.Epoch + 1;
        record["running"] = false;
        var newer = System.Text.Encoding.UTF8.GetBytes(record.ToJsonString());
        await store.WriteAsync(CheckpointLayout.Record(newest + 1), newer, CancellationToken.None);
        var before = await ContestedCheckpointStore.ContentsAsync(store);

        TestJobs.Clock(name).Advance(TestJobs.Interval);
        await FailoverRuns.WaitAsync(job, s => !s.IsRunning, $"{name} stopping at its next record");

        Assert.Equal(before, await ContestedCheckpointStore.ContentsAsync(store));
        var batches = seen.Batches(3);
        Assert.NotEmpty(batches[1]);
        Assert.Empty(batches[2]);
    }
}
