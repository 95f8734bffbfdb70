using StreamLinq.Orleans.Tests.Support;

namespace StreamLinq.Orleans.Tests.Failover;

/// <summary>
/// A straggling map task does not hold its batch hostage: once half the tasks are done, the
/// driver sends a task slower than twice their median to a second executor, uses the first copy
/// that finishes, and the reducers take one partial per task.
/// </summary>
[Collection(FailoverCollection.Name)]
public sealed class SpeculationTests(FailoverFixture fixture)
{
    [Fact]
    public async Task A_straggler_that_never_finishes_on_its_own_is_speculated_and_its_records_count_once()
    {
        var script = new Script<int>([[[1, 2, 3], [10, 11], [20, 21, 22, 23]]]);
        var straggler = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reads = 0;

        // The first read of partition 0 (the first executor's) waits until the test ends; a copy reads at once.
        async Task Hold(IReadOnlyList<int> partitions)
        {
            if (partitions.Contains(0) && Interlocked.Increment(ref reads) == 1)
            {
                await straggler.Task;
            }
        }

        var seen = new BatchCollector<int>();
        var name = FailoverJobs.DefineSpeculative(context => context.AddInput(new ScriptedSource<int>("Slow", script, Hold)).ForEachBatch(seen.Add));
        var job = fixture.Cluster.Client.GetStreamJob(name);
        await job.StartAsync();
        try
        {
            var status = await FailoverRuns.RunBatchesAsync(job, name, 1, 1);

            Assert.True(status.SpeculativeTasks >= 1, $"Nothing was speculated: {status}");
            Assert.Equal([1, 2, 3, 10, 11, 20, 21, 22, 23], seen.Batches(1)[0].Order());
        }
        finally
        {
            straggler.SetResult();
            await job.StopAsync();
        }
    }
}
