using System.Text;
using Orleans.Runtime;
using StreamLinq.Checkpointing;
using StreamLinq.Orleans.Tests.Support;

namespace StreamLinq.Orleans.Tests.Failover;

/// <summary>
/// A driver claims its epoch in the checkpoint store by creating the epoch's claim, which only one
/// driver can: one that loses the race stops with an error naming the store and both epochs and
/// writes nothing; one that starts after a claim with no record (its driver died at once) takes
/// the epoch after it.
/// </summary>
[Collection(FailoverCollection.Name)]
public sealed class EpochClaimTests(FailoverFixture fixture)
{
    private static readonly Script<int> Numbers = new(Enumerable.Range(0, 3).Select(b =>
        Enumerable.Range(0, 3).Select(p => Enumerable.Range(0, 4).Select(i => (b * 100) + (p * 10) + i).ToArray()).ToArray()).ToArray());

    [Fact]
    public async Task A_driver_that_loses_the_race_for_its_epoch_stops_naming_the_store_and_both_epochs_and_writes_nothing()
    {
        var (name, job, store) = await StartedAndStoppedAsync(batches: 2);
        var rival = Encoding.UTF8.GetBytes("""{"epoch":2,"silo":"S-rival"}""");
        ContestedCheckpointStore.ClaimFirst(store.Directory, rival);
        var before = await ContestedCheckpointStore.ContentsAsync(store);

        var lost = await Assert.ThrowsAsync<StaleEpochException>(job.StartAsync);
        Assert.Contains(store.Description, lost.Message, StringComparison.Ordinal);
        Assert.Contains("read epoch 1", lost.Message, StringComparison.Ordinal);
        Assert.Contains("claimed epoch 2", lost.Message, StringComparison.Ordinal);
        Assert.Contains("S-rival", lost.Message, StringComparison.Ordinal);
        Assert.Equal(before.Append((CheckpointLayout.Claim(2), Convert.ToBase64String(rival))).Order(), await ContestedCheckpointStore.ContentsAsync(store));

        // The rival's epoch is taken for good: the next driver claims the one after it.
        await job.StartAsync();
        var status = await FailoverRuns.RunBatchesAsync(job, name, 3, 3);
        await job.StopAsync();
        Assert.Equal(3, status.Epoch);
    }

    [Fact]
    public async Task A_driver_after_one_that_claimed_its_epoch_and_died_before_writing_takes_the_next_epoch()
    {
        var (name, job, store) = await StartedAndStoppedAsync(batches: 1);
        Assert.True(await store.TryCreateAsync(CheckpointLayout.Claim(2), Encoding.UTF8.GetBytes("""{"epoch":2,"silo":"S-died"}"""), CancellationToken.None));

        await job.StartAsync();
        var status = await FailoverRuns.RunBatchesAsync(job, name, 2, 2);
        await job.StopAsync();
        Assert.Equal(3, status.Epoch);
    }

    /// <summary>A fresh job run for <paramref name="batches"/> batches under epoch 1 and stopped, its driver collected (the next start activates a new one).</summary>
    private async Task<(string Name, IStreamJob Job, DirectoryCheckpointStore Store)> StartedAndStoppedAsync(int batches)
    {
        var name = FailoverJobs.Define(context => context.AddInput(new ScriptedSource<int>("Numbers", Numbers)).ForEachBatch(new BatchCollector<int>().Add));
        var job = fixture.Cluster.Client.GetStreamJob(name);
        await job.StartAsync();
        var status = await FailoverRuns.RunBatchesAsync(job, name, 1, batches);
        await job.StopAsync();
        Assert.Equal(1, status.Epoch);
        await fixture.Cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        return (name, job, new DirectoryCheckpointStore(Path.Combine(FailoverJobs.CheckpointDirectory, name)));
    }
}
