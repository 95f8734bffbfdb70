using FsCheck.Xunit;
using StreamLinq.Distributed;
using StreamLinq.Orleans.Tests.Support;

namespace StreamLinq.Orleans.Tests.Shuffle;

/// <summary>
/// Executors pre-aggregate a GroupBy aggregate or a stream's aggregate and pre-combine a reduce by
/// key (map-side combine): the reducers merge the partials and give what one process gives
/// (floating-point sums within their rounding bound), Explain says which outputs ship partials and
/// which ship records, a map task ships one partial per key whatever the number of records, and
/// errors name the aggregate.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PartialAggregationTests(ClusterFixture fixture)
{
    /// <summary>A GroupBy's result: the key, then each standard aggregate.</summary>
    public sealed record Stats(int Key, long N, long Even, long Sum, double Average, int Min, int Max);

    /// <summary>The same over floating-point values.</summary>
    public sealed record FloatStats(int Key, int N, double Sum, double Average, double Min, double Max);

    [Property(MaxTest = 4, Arbitrary = [typeof(Scripts)])]
    public void Count_sum_average_min_and_max_merged_from_the_executors_partials_give_the_same_groups(Script<int> script)
    {
        var (single, cluster) = BothRuns.RunAsync(fixture, script, s => s.GroupBy(x => x % 5).Select(g => new Stats(
            g.Key, g.LongCount(), g.Count(x => x % 2 == 0), g.Sum(x => (long)x), g.Average(), g.Min(), g.Max()))).GetAwaiter().GetResult();

        Assert.Equal(BothRuns.Sorted(single), BothRuns.Sorted(cluster));

        // A null key is a group of its own, as in LINQ, and crosses the shuffle as one.
        var (singleNull, clusterNull) = BothRuns.RunAsync(fixture, script, s => s.GroupBy(x => x % 3 == 0 ? null : $"k{x % 5}").Select(g => new { g.Key, N = g.Count(), M = g.Min() })).GetAwaiter().GetResult();
        Assert.Equal(BothRuns.Sorted(singleNull), BothRuns.Sorted(clusterNull));
    }

    [Property(MaxTest = 4, Arbitrary = [typeof(Scripts)])]
    public void Keys_that_one_executor_alone_sees_keep_their_average_minimum_and_maximum(Script<int> script)
    {
        // Partition p holds only values congruent to p modulo 3, so each key of x % 3 is empty on
        // every other executor; partition 1's records are then all dropped, so its executor
        // aggregates an empty batch.
        var keyed = new Script<int>(script.Batches.Select(b => b.Select((records, p) => records.Select(x => (3 * x) + p).ToArray()).ToArray()).ToArray());

        var (single, cluster) = BothRuns.RunAsync(fixture, keyed, s => s.Where(x => x % 3 != 1).GroupBy(x => x % 3).Select(g => new Stats(
            g.Key, g.LongCount(), g.Count(x => x % 2 == 0), g.Sum(), g.Average(), g.Min(), g.Max()))).GetAwaiter().GetResult();

        Assert.Equal(BothRuns.Sorted(single), BothRuns.Sorted(cluster));
        Assert.All(cluster.SelectMany(b => b), stats => Assert.NotEqual(1, stats.Key));
    }

    [Property(MaxTest = 4, Arbitrary = [typeof(Scripts)])]
    public void A_floating_point_sum_is_the_executors_sums_added_in_task_order_within_rounding_of_one_process(Script<int> script)
    {
        var (single, cluster) = BothRuns.RunAsync(fixture, script, s => s.Select(x => Value(x)).GroupBy(v => KeyOf(v)).Select(g => new FloatStats(
            g.Key, g.Count(), g.Sum(), g.Average(), g.Min(), g.Max()))).GetAwaiter().GetResult();

        for (var b = 0; b < script.Batches.Length; b++)
        {
            var partitions = script.Batches[b].Select(p => p.Select(Value).ToArray()).ToArray();
            var all = partitions.SelectMany(p => p).ToArray();
            var one = single[b].ToDictionary(s => s.Key);
            Assert.Equal(one.Keys.Order(), cluster[b].Select(s => s.Key).Order());
            foreach (var stats in cluster[b])
            {
                var values = all.Where(v => KeyOf(v) == stats.Key).ToArray();
                Assert.Equal(values.Length, stats.N);
                Assert.Equal(values.Min(), stats.Min);
                Assert.Equal(values.Max(), stats.Max);

                // The documented order: each executor sums its partition's values in record
                // order, and the reducer adds the partials in map task (partition) order.
                var partials = partitions.Select(p => p.Where(v => KeyOf(v) == stats.Key).ToArray()).Where(p => p.Length > 0).Select(p => p.Aggregate(0.0, (sum, v) => sum + v));
                Assert.Equal(partials.Aggregate((sum, partial) => sum + partial), stats.Sum);

                // One process adds the same values in record order: the two sums agree within
                // the bound on the rounding of n additions, n * 2^-53 * sum of |values| each.
                var bound = 2 * values.Length * Math.Pow(2, -53) * values.Sum(Math.Abs);
                Assert.InRange(stats.Sum - one[stats.Key].Sum, -bound, bound);
                Assert.InRange(stats.Average - one[stats.Key].Average, -bound / values.Length, bound / values.Length);
                Assert.Equal(one[stats.Key] with { Sum = 0, Average = 0 }, stats with { Sum = 0, Average = 0 });
            }
        }
    }

    /// <summary>A value whose sums round: thirds, sevenths... plus tenths.</summary>
    public static double Value(int x) => (1.0 / (x + 3)) + (x * 0.1);

    public static int KeyOf(double value) => (int)(value * 10) % 4;

    [Property(MaxTest = 3, Arbitrary = [typeof(Scripts)])]
    public void A_windowed_GroupBy_aggregate_takes_in_each_batchs_merged_partials_and_gives_the_same_windows(Script<int> script)
    {
        var second = TimeSpan.FromSeconds(1);

        // Min and Max: the window merges its batches' tables at each slide; counts and integer
        // sums: it adds the entering table and subtracts the leaving ones.
        var (single, cluster) = BothRuns.RunAsync(
            fixture,
            script,
            s => s.Window(3 * second, second).Select(x => x + 1).GroupBy(x => x % 4).Select(g => new { g.Key, N = g.Count(), Lo = g.Min(), Hi = g.Max() }),
            script.Batches.Length + 3).GetAwaiter().GetResult();
        Assert.Equal(BothRuns.Sorted(single), BothRuns.Sorted(cluster));

        var (singleRunning, clusterRunning) = BothRuns.RunAsync(
            fixture,
            script,
            s => s.Where(x => x % 5 != 0).Window(2 * second, second).GroupBy(x => x % 3).Select(g => new { g.Key, N = g.Count(), S = g.Sum(), A = g.Average() }),
            script.Batches.Length + 2).GetAwaiter().GetResult();
        Assert.Equal(BothRuns.Sorted(singleRunning), BothRuns.Sorted(clusterRunning));
    }

    [Property(MaxTest = 4, Arbitrary = [typeof(Scripts)])]
    public void CountByValue_and_a_top_k_over_a_pre_aggregated_GroupBy_give_the_same_results(Script<int> script)
    {
        var (single, cluster) = BothRuns.RunAsync(fixture, script, s => s.Select(x => x % 6).CountByValue()).GetAwaiter().GetResult();
        Assert.Equal(BothRuns.Sorted(single), BothRuns.Sorted(cluster));

        // Two shuffles: the partials gather on key partition 0, which ranks the merged groups.
        var (singleTop, clusterTop) = BothRuns.RunAsync(fixture, script, s => s.GroupBy(x => x % 7).Select(g => new { g.Key, S = g.Sum() }).OrderByDescending(g => g.S).ThenBy(g => g.Key).Take(3)).GetAwaiter().GetResult();
        Assert.Equal(singleTop.Select(b => b.Select(r => r.ToString()).ToList()), clusterTop.Select(b => b.Select(r => r.ToString()).ToList()));
    }

    [Property(MaxTest = 3, Arbitrary = [typeof(Scripts)])]
    public void A_streams_sum_minimum_and_average_merge_from_one_partial_per_executor(Script<int> script)
    {
        // Dropping values below 40 leaves some executors nothing; the script's last batch is
        // empty everywhere: its Sum is 0, its Min and Average are no record.
        var (singleSum, clusterSum) = BothRuns.RunAsync(fixture, script, s => s.Where(x => x >= 40).Sum()).GetAwaiter().GetResult();
        var (singleMin, clusterMin) = BothRuns.RunAsync(fixture, script, s => s.Where(x => x >= 40).Min()).GetAwaiter().GetResult();
        var (singleAverage, clusterAverage) = BothRuns.RunAsync(fixture, script, s => s.Where(x => x >= 40).Average()).GetAwaiter().GetResult();

        Assert.Equal(script.Batches.Select(b => new List<int> { b.SelectMany(p => p).Where(x => x >= 40).Sum() }), clusterSum);
        Assert.Equal(singleSum, clusterSum);
        Assert.Equal(singleMin, clusterMin);
        Assert.Equal(singleAverage, clusterAverage);
        Assert.Empty(clusterMin[^1]);
    }

    [Property(MaxTest = 4, Arbitrary = [typeof(Scripts)])]
    public void ReduceByKey_combined_on_the_executors_combines_each_keys_values_in_record_order(Script<int> script)
    {
        // Concatenation is associative but not commutative: the values must meet in the order
        // one process reads them, partition after partition.
        var (single, cluster) = BothRuns.RunAsync(fixture, script, s => s.Select(x => new KeyValuePair<int, string>(x % 4, x.ToString(System.Globalization.CultureInfo.InvariantCulture))).ReduceByKey((a, b) => a + "," + b)).GetAwaiter().GetResult();

        Assert.Equal(BothRuns.Sorted(single), BothRuns.Sorted(cluster));
    }

    [Property(MaxTest = 3, Arbitrary = [typeof(Scripts)])]
    public void ReduceByKeyAndWindow_without_an_inverse_combines_the_executors_partials_in_batch_and_record_order(Script<int> script)
    {
        var (single, cluster) = BothRuns.RunAsync(
            fixture,
            script,
            s => s.Select(x => new KeyValuePair<int, string>(x % 3, x.ToString(System.Globalization.CultureInfo.InvariantCulture))).ReduceByKeyAndWindow((a, b) => a + "," + b, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)),
            script.Batches.Length + 2).GetAwaiter().GetResult();

        Assert.Equal(BothRuns.Sorted(single), BothRuns.Sorted(cluster));
    }

    [Fact]
    public void Explain_says_which_outputs_ship_partial_aggregates_and_which_ship_records()
    {
        var context = new StreamingContext(TestJobs.Interval);
        var input = context.AddInput(new ScriptedSource<int>("Numbers", new Script<int>([[[1, 2], [3]]])));
        input.GroupBy(x => x % 3).Select(g => new { g.Key, N = g.Count(), S = g.Sum(), A = g.Average(x => x * 2.0), M = g.Max(), E = g.Count(x => x > 1) }).ForEachBatch((_, _) => { });
        input.GroupBy(x => x % 3).Select(g => new { g.Key, All = g.ToList() }).ForEachBatch((_, _) => { });
        input.Select(x => new KeyValuePair<int, int>(x % 3, x)).ReduceByKey((a, b) => a + b).ForEachBatch((_, _) => { });
        input.Where(x => x > 1).Count().ForEachBatch((_, _) => { });
        input.Window(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)).GroupBy(x => x % 3).Select(g => new { g.Key, N = g.Count() }).ForEachBatch((_, _) => { });

        var outputs = DistributedPlan.Create(context, 2).Explain().Split("ForEachBatch", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(5, outputs.Length);
        Assert.Contains("⇒ Shuffle#0 (partial aggregation: count, sum, average(x => x * 2.0) (as sum and count), max, count(x => x > 1))", outputs[0]);
        Assert.Contains("Shuffle#0: GroupAggregate [key: x => x % 3", outputs[0]);
        Assert.Contains("⇒ Shuffle#1 (records)", outputs[1]);
        Assert.Contains("⇒ Shuffle#2 (partial reduce by key: (a, b) => a + b)", outputs[2]);
        Assert.Contains("⇒ Shuffle#3 (partial aggregation: count of the batch)", outputs[3]);
        Assert.Contains("Shuffle#3: Aggregate [Count()] merges the map tasks' partials", outputs[3]);
        Assert.Contains("⇒ Shuffle#4 (partial aggregation: count)", outputs[4]);
        Assert.Contains("hash by x => x % 3 into 2 key partitions", outputs[4]);
        Assert.Contains("Shuffle#4: the map tasks' partial tables merged in map task order, taken in by the window's aggregation", outputs[4]);
        Assert.Contains("WindowedAggregate", outputs[4]);
    }

    [Fact]
    public async Task A_map_task_ships_one_partial_per_key_however_many_records_it_reads()
    {
        // The same 10 keys over 1,000 and 10,000 records: partials grow only by the counts' digits,
        // where records grow tenfold.
        var small = await MapBytesAsync(1_000, s => s.GroupBy(x => x % 10).Select(g => new { g.Key, N = g.Count() }));
        var large = await MapBytesAsync(10_000, s => s.GroupBy(x => x % 10).Select(g => new { g.Key, N = g.Count() }));
        var smallRecords = await MapBytesAsync(1_000, s => s.GroupBy(x => x % 10).Select(g => new { g.Key, N = g.ToList().Count }));
        var largeRecords = await MapBytesAsync(10_000, s => s.GroupBy(x => x % 10).Select(g => new { g.Key, N = g.ToList().Count }));

        Assert.InRange(large, small, small + 40);
        Assert.True(largeRecords > 9 * smallRecords, $"records: {smallRecords} bytes for 1,000, {largeRecords} for 10,000");
        Assert.True(large * 100 < largeRecords, $"partials {large} bytes, records {largeRecords}");
    }

    [Fact]
    public async Task A_key_that_throws_on_an_executor_and_a_merged_sum_that_overflows_fail_the_batch_naming_the_aggregate()
    {
        var throwing = new StreamingContext(TestJobs.Interval);
        throwing.AddInput(new ScriptedSource<int>("Numbers", new Script<int>([[[1, 0]]]))).GroupBy(x => 10 / x).Select(g => new { g.Key, N = g.Count() }).ForEachBatch((_, _) => { });
        var plan = DistributedPlan.Create(throwing, 2);

        var error = await Assert.ThrowsAsync<BatchFailedException>(() => plan.RunMapAsync(plan.Cut(new BatchTime(TestJobs.Interval.Ticks)).Tasks[0], CancellationToken.None));

        Assert.IsType<DivideByZeroException>(error.InnerException);
        Assert.Contains("HashAggregate", error.Message);

        // Each executor's partial sum fits (sums are kept in a long); the merged one does not fit the int the query asks for, as in one process.
        var overflowing = new StreamingContext(TestJobs.Interval);
        overflowing.AddInput(new ScriptedSource<int>("Numbers", new Script<int>([[[int.MaxValue], [int.MaxValue]]]))).GroupBy(x => 1).Select(g => g.Sum()).ForEachBatch((_, _) => { });
        plan = DistributedPlan.Create(overflowing, 1);
        var cut = plan.Cut(new BatchTime(TestJobs.Interval.Ticks));
        var partials = new List<byte[]>();
        foreach (var task in cut.Tasks)
        {
            partials.Add((await plan.RunMapAsync(task, CancellationToken.None)).Partitions[0]);
        }

        error = await Assert.ThrowsAsync<BatchFailedException>(() => plan.RunReduceAsync(cut.Time, 0, 1, cut.Offsets, partials, CancellationToken.None));

        Assert.IsType<OverflowException>(error.InnerException);
        Assert.Contains("HashAggregate", error.Message);
    }

    /// <summary>
    /// Runs one map task over <paramref name="count"/> numbers and one reduce per key partition,
    /// checks the groups against LINQ (<paramref name="query"/> counts the numbers by their last
    /// digit) and returns the bytes shipped.
    /// </summary>
    private static async Task<long> MapBytesAsync<T>(int count, Func<IDStream<int>, IDStream<T>> query)
    {
        var numbers = Enumerable.Range(0, count).ToArray();
        var received = new System.Collections.Concurrent.ConcurrentBag<T>();
        await using var context = new StreamingContext(TestJobs.Interval);
        query(context.AddInput(new ScriptedSource<int>("Numbers", new Script<int>([[numbers]])))).ForEachBatch((batch, _) =>
        {
            foreach (var record in batch)
            {
                received.Add(record);
            }
        });
        var plan = DistributedPlan.Create(context, keyPartitions: 4);
        var cut = plan.Cut(new BatchTime(TestJobs.Interval.Ticks));
        var map = await plan.RunMapAsync(Assert.Single(cut.Tasks), CancellationToken.None);
        for (var k = 0; k < 4; k++)
        {
            await plan.RunReduceAsync(cut.Time, k, 1, cut.Offsets, [map.Partitions[k]], CancellationToken.None);
        }

        var expected = numbers.GroupBy(x => x % 10).Select(g => $"{{ Key = {g.Key}, N = {g.Count()} }}").Order(StringComparer.Ordinal);
        Assert.Equal(expected, received.Select(r => r!.ToString()!).Order(StringComparer.Ordinal));
        return map.Partitions.Sum(p => (long)p.Length);
    }
}
