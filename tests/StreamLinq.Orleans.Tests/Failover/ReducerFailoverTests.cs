using Orleans.Runtime;
using StreamLinq.Orleans.Tests.Support;

namespace StreamLinq.Orleans.Tests.Failover;

/// <summary>
/// A silo hosting reducers dies mid-batch: the driver retries the batch, the reducers come back on
/// live silos with their keyed state from the last checkpoint and the batches after it replayed,
/// and the transactional output holds exactly what one process writes.
/// </summary>
[Collection(FailoverCollection.Name)]
public sealed class ReducerFailoverTests(FailoverFixture fixture, Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Batches = 10;

    private static readonly Script<int> Numbers = new(Enumerable.Range(0, Batches).Select(b =>
        Enumerable.Range(0, 3).Select(p => Enumerable.Range(0, 6).Select(i => (b * 100) + (p * 10) + i).ToArray()).ToArray()).ToArray());

    private static IDStream<KeyValuePair<int, long>> RunningSums(StreamingContext context, Func<IReadOnlyList<int>, Task>? beforeRead = null) =>
        context.AddInput(new ScriptedSource<int>("Numbers", Numbers, beforeRead))
            .Select(x => new KeyValuePair<int, int>(x % 16, x))
            .UpdateStateByKey<int, int, long>((values, state) => state + values.Sum() + 1);

    [Fact]
    public async Task Killing_the_silo_of_reducers_mid_batch_loses_and_doubles_nothing_of_their_keyed_state_or_output()
    {
        var single = await BothRuns.SingleAsync(context => RunningSums(context), Batches);
        var sink = new CommitLog<KeyValuePair<int, long>>();

        // Batch 4's first read (the 10th: 3 partitions a batch) waits until the silo is dead, so
        // the kill lands while the batch is in flight.
        var inFlight = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reads = 0;
        async Task Hold(IReadOnlyList<int> partitions)
        {
            if (Interlocked.Increment(ref reads) == (3 * Numbers.PartitionCount) + 1)
            {
                inFlight.SetResult();
                await killed.Task;
            }
        }

        var name = FailoverJobs.Define(context => RunningSums(context, Hold).WriteTo(sink, DeliveryGuarantee.ExactlyOnce));
        var job = fixture.Cluster.Client.GetStreamJob(name);
        await job.StartAsync();
        try
        {
            // 3 batches: the reducers' state is checkpointed after batch 2, batch 3 is kept to replay.
            await FailoverRuns.RunBatchesAsync(job, name, 1, 3);
            var driver = await FailoverRuns.SiloOfAsync(fixture.Cluster, name);
            var reducers = new List<SiloAddress>();
            for (var k = 0; k < FailoverJobs.KeyPartitions; k++)
            {
                if (await FailoverRuns.SiloOfAsync(fixture.Cluster, StreamJobGrain.ReducerKey(name, k)) is { } silo)
                {
                    reducers.Add(silo);
                }
            }

            var candidates = reducers.Where(s => !s.Equals(fixture.Cluster.Primary!.SiloAddress)).ToList();
            Assert.NotEmpty(candidates);
            var victim = candidates.FirstOrDefault(s => !s.Equals(driver)) ?? candidates[0];
            TestJobs.Clock(name).Advance(TestJobs.Interval);
            await inFlight.Task.WaitAsync(FailoverRuns.Patience);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            await fixture.KillAsync(victim);
            killed.SetResult();
            await FailoverRuns.WaitAsync(job, s => s.LastBatchTime >= new BatchTime(4 * TestJobs.Interval.Ticks).ToDateTimeOffset(), "batch 4, in flight at the kill");
            output.WriteLine($"From the kill of a reducers' silo, batch 4 in flight, to that batch done: {watch.Elapsed.TotalSeconds:0.0} s");

            var status = await FailoverRuns.RunBatchesAsync(job, name, 5, Batches);

            Assert.True(status.ReducerRecoveries > 0, $"No reducer was restored: {status}");
            Assert.Equal(BothRuns.Sorted(single), BothRuns.Sorted(sink.Batches(Batches)));
        }
        finally
        {
            killed.TrySetResult();
            await job.StopAsync();
            await fixture.RefillAsync();
        }
    }
}
