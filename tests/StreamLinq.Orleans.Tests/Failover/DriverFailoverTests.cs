using Orleans.Runtime;
using StreamLinq.Orleans.Tests.Support;

namespace StreamLinq.Orleans.Tests.Failover;

/// <summary>
/// The driver's silo dies: the silos' probe activates the driver on a live silo, which takes the
/// next epoch, loads the newest checkpoint and goes on by itself; the batch in flight is run again
/// and the transactional output skips what it had committed.
/// </summary>
[Collection(FailoverCollection.Name)]
public sealed class DriverFailoverTests(FailoverFixture fixture, Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Batches = 8;

    private static readonly Script<int> Numbers = new(Enumerable.Range(0, Batches).Select(b =>
        Enumerable.Range(0, 3).Select(p => Enumerable.Range(0, 5).Select(i => (b * 100) + (p * 10) + i).ToArray()).ToArray()).ToArray());

    private static IDStream<string> Counts(StreamingContext context) =>
        context.AddInput(new ScriptedSource<int>("Numbers", Numbers))
            .Select(x => new KeyValuePair<int, int>(x % 8, x))
            .UpdateStateByKey<int, int, long>((values, state) => state + values.Count)
            .Select(p => $"{p.Key}:{p.Value}");

    [Fact]
    public async Task Killing_the_silo_of_the_driver_lets_the_job_go_on_by_itself_under_the_next_epoch_with_every_record_once()
    {
        var single = await BothRuns.SingleAsync(Counts, Batches);
        var sink = new CommitLog<string>();

        // The primary silo holds the test cluster's membership and cannot die: take a job whose
        // driver Orleans placed elsewhere. The silos' probe activated the idle drivers while the
        // cluster was starting (or changing), on the silos it had then: collected, they are placed
        // again over all of today's.
        await fixture.Cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        string name;
        SiloAddress? driver;
        do
        {
            name = FailoverJobs.Define(context => Counts(context).WriteTo(sink, DeliveryGuarantee.ExactlyOnce));
            driver = await DriverSiloAsync(name);
            output.WriteLine($"The driver of {name} is on {driver}; the primary is {fixture.Cluster.Primary!.SiloAddress}");
        }
        while (driver.Equals(fixture.Cluster.Primary!.SiloAddress));

        var job = fixture.Cluster.Client.GetStreamJob(name);
        await job.StartAsync();
        try
        {
            var before = await FailoverRuns.RunBatchesAsync(job, name, 1, 3);
            var killed = System.Diagnostics.Stopwatch.StartNew();
            await fixture.KillAsync(driver!);
            await FailoverRuns.RunBatchesAsync(job, name, 4, 4);
            output.WriteLine($"From the kill of the driver's silo to the next batch done: {killed.Elapsed.TotalSeconds:0.0} s");

            var after = await FailoverRuns.RunBatchesAsync(job, name, 5, Batches);

            Assert.Equal(1, before.Epoch);
            Assert.True(after.Epoch >= 2, $"The driver did not come back under a new epoch: {after}");
            Assert.True(after.IsRunning);
            Assert.NotEqual<SiloAddress?>(driver, await FailoverRuns.SiloOfAsync(fixture.Cluster, name));
            Assert.Equal(BothRuns.Sorted(single), BothRuns.Sorted(sink.Batches(Batches)));
        }
        finally
        {
            await job.StopAsync();
            await fixture.RefillAsync();
        }
    }

    /// <summary>Activates the job's driver and finds its silo (the statistics may lag the activation).</summary>
    private async Task<SiloAddress> DriverSiloAsync(string name)
    {
        var status = await FailoverRuns.WaitAsync(fixture.Cluster.Client.GetStreamJob(name), _ => true, $"the driver of {name}");
        for (var attempt = 0; ; attempt++)
        {
            if (await FailoverRuns.SiloOfAsync(fixture.Cluster, name) is { } silo)
            {
                return silo;
            }

            Assert.True(attempt < 100, $"The driver of {name} ({status}) is in no silo's statistics.");
            await Task.Delay(50);
        }
    }
}
