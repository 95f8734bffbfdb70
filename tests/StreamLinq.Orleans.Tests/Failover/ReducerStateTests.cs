using FsCheck.Xunit;
using StreamLinq.Distributed;
using StreamLinq.Orleans.Tests.Support;

namespace StreamLinq.Orleans.Tests.Failover;

/// <summary>
/// A reducer's keyed state written after some batch and read back by a new plan, with the batches
/// after it replayed (outputs off), gives a reducer that goes on exactly as the one that never
/// stopped; the driver's cut rebuilt from its offsets reads the same ranges.
/// </summary>
public sealed class ReducerStateTests
{
    private const int KeyPartitions = 2;

    [Property(MaxTest = 20, Arbitrary = [typeof(Scripts)])]
    public void A_reducer_restored_from_its_state_with_the_batches_after_it_replayed_writes_what_the_one_that_never_stopped_writes(Script<int> script, byte stateAt, byte failAt)
    {
        var batches = script.Batches.Length;
        var kept = stateAt % batches;                       // batches in the state written
        var failed = kept + (failAt % (batches - kept));    // the batch in flight when the reducer was lost
        var times = Enumerable.Range(1, batches).Select(i => new BatchTime(i * TestJobs.Interval.Ticks)).ToArray();
        var (driver, _) = Build(script);
        var cuts = times.Select(driver.Cut).ToArray();

        for (var k = 0; k < KeyPartitions; k++)
        {
            var (unbroken, unbrokenOut) = Build(script);
            var (restored, restoredOut) = Build(script);
            for (var b = 0; b < batches; b++)
            {
                var partials = Partials(driver, cuts[b], k);
                Reduce(unbroken, cuts[b], k, partials);
                if (b == kept - 1)
                {
                    restored.RestoreReduceState(unbroken.WriteReduceState(times[b]), times[b]);
                }
                else if (b >= kept && b < failed)
                {
                    restored.ReplayReduceAsync(times[b], k, partials, CancellationToken.None).GetAwaiter().GetResult();
                }
                else if (b == failed)
                {
                    // The batch in flight, through a cut rebuilt from the offsets the driver recorded.
                    var again = driver.RestoreCut(cuts[b].Time, cuts[b].Offsets);
                    Assert.Equal(cuts[b].Tasks, again.Tasks);
                    Reduce(restored, again, k, Partials(driver, again, k));
                }
                else if (b > failed)
                {
                    Reduce(restored, cuts[b], k, partials);
                }
            }

            // Replays write nothing; from the batch in flight on, the restored reducer writes what the unbroken one wrote.
            Assert.All(restoredOut.Batches(batches).Take(failed), Assert.Empty);
            Assert.Equal(BothRuns.Sorted(unbrokenOut.Batches(batches)).Skip(failed), BothRuns.Sorted(restoredOut.Batches(batches)).Skip(failed));
        }
    }

    [Fact]
    public void State_of_another_batch_than_the_driver_names_is_refused()
    {
        var (plan, _) = Build(new Script<int>([[[1], [2], [3]]]));
        var state = plan.WriteReduceState(new BatchTime(TestJobs.Interval.Ticks));

        var error = Assert.Throws<InvalidDataException>(() => Build(new Script<int>([[[1], [2], [3]]])).Plan.RestoreReduceState(state, new BatchTime(2 * TestJobs.Interval.Ticks)));

        Assert.Contains("not of batch", error.Message);
    }

    private static (DistributedPlan Plan, BatchCollector<string> Output) Build(Script<int> script)
    {
        var output = new BatchCollector<string>();
        var context = new StreamingContext(TestJobs.Interval);
        context.AddInput(new ScriptedSource<int>("Script", script))
            .Select(x => new KeyValuePair<int, int>(x % 5, x))
            .UpdateStateByKey<int, int, long>((values, state) => state + values.Sum() + 1)
            .Select(p => $"{p.Key}:{p.Value}")
            .ForEachBatch(output.Add);
        return (DistributedPlan.Create(context, KeyPartitions), output);
    }

    private static byte[][] Partials(DistributedPlan plan, BatchCut cut, int k) =>
        cut.Tasks.Select(t => plan.RunMapAsync(t, CancellationToken.None).GetAwaiter().GetResult().Partitions[k]).ToArray();

    private static void Reduce(DistributedPlan plan, BatchCut cut, int k, byte[][] partials) =>
        plan.RunReduceAsync(cut.Time, k, 1, cut.Offsets, partials, CancellationToken.None).GetAwaiter().GetResult();
}
