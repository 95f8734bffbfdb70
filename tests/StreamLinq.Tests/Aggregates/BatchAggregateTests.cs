using FsCheck.Fluent;
using FsCheck.Xunit;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Aggregates;

/// <summary>
/// Per-batch Count, Sum, Min, Max and Average against LINQ to Objects over the same batches,
/// with random records, random batch splits and partitions of random size (so that partials
/// of several partitions are merged).
/// </summary>
public class BatchAggregateTests
{
    [Property(MaxTest = 25)]
    public async Task Filter_project_sum_equals_linq_per_batch(int[][] batches, byte partitionSize)
    {
        var actual = await RunAsync(batches, partitionSize, s => s.Where(x => x % 3 != 0).Select(x => (long)x * 2).Sum());
        var expected = batches.Select(b => new[] { b.Where(x => x % 3 != 0).Select(x => (long)x * 2).Sum() });
        Assert.Equal(expected, actual);
    }

    [Property(MaxTest = 25)]
    public async Task Int_sum_with_selector_equals_linq_per_batch(int[][] batches, byte partitionSize)
    {
        var actual = await RunAsync(batches, partitionSize, s => s.Sum(x => x / 1024));
        Assert.Equal(batches.Select(b => new[] { b.Sum(x => x / 1024) }), actual);
    }

    [Property(MaxTest = 25)]
    public async Task Count_after_SelectMany_equals_linq_per_batch(int[][] batches, byte partitionSize)
    {
        var actual = await RunAsync(batches, partitionSize, s => s.SelectMany(x => Enumerable.Range(0, Math.Abs(x % 4))).Count());
        Assert.Equal(batches.Select(b => new[] { b.SelectMany(x => Enumerable.Range(0, Math.Abs(x % 4))).LongCount() }), actual);
    }

    [Property(MaxTest = 25)]
    public async Task Min_and_max_equal_linq_and_yield_nothing_for_an_empty_batch(int[][] batches, byte partitionSize)
    {
        var min = await RunAsync(batches, partitionSize, s => s.Min());
        var max = await RunAsync(batches, partitionSize, s => s.Max(x => -(long)x));
        Assert.Equal(batches.Select(b => b.Length == 0 ? [] : new[] { b.Min() }), min);
        Assert.Equal(batches.Select(b => b.Length == 0 ? [] : new[] { b.Max(x => -(long)x) }), max);
    }

    [Property(MaxTest = 25)]
    public async Task Double_min_and_max_follow_linqs_NaN_rules(int[][] batches, byte partitionSize)
    {
        // Whole numbers as doubles keep the comparison exact; every seventh becomes NaN.
        var min = await RunAsync(batches, partitionSize, s => s.Select(x => x % 7 == 0 ? double.NaN : x).Min());
        var max = await RunAsync(batches, partitionSize, s => s.Max(x => x % 7 == 0 ? double.NaN : x));
        Assert.Equal(batches.Select(b => b.Length == 0 ? [] : new[] { b.Min(x => x % 7 == 0 ? double.NaN : x) }), min);
        Assert.Equal(batches.Select(b => b.Length == 0 ? [] : new[] { b.Max(x => x % 7 == 0 ? double.NaN : x) }), max);
    }

    [Property(MaxTest = 25)]
    public async Task Average_equals_linq_and_yields_nothing_for_an_empty_batch(int[][] batches, byte partitionSize)
    {
        var ints = await RunAsync(batches, partitionSize, s => s.Average());
        var decimals = await RunAsync(batches, partitionSize, s => s.Average(x => (decimal)x));
        var floats = await RunAsync(batches, partitionSize, s => s.Average(x => (float)(x % 1000)));
        Assert.Equal(batches.Select(b => b.Length == 0 ? [] : new[] { b.Average() }), ints);
        Assert.Equal(batches.Select(b => b.Length == 0 ? [] : new[] { b.Average(x => (decimal)x) }), decimals);
        Assert.Equal(batches.Select(b => b.Length == 0 ? [] : new[] { b.Average(x => (float)(x % 1000)) }), floats);
    }

    [Property(MaxTest = 25)]
    public async Task Double_and_decimal_sums_equal_linq(int[][] batches, byte partitionSize)
    {
        // Whole numbers well inside 2^53 add exactly in any order, so partitioning cannot change the double sum.
        var doubles = await RunAsync(batches, partitionSize, s => s.Select(x => (double)x).Sum());
        var decimals = await RunAsync(batches, partitionSize, s => s.Sum(x => (decimal)x / 4));
        var floats = await RunAsync(batches, partitionSize, s => s.Sum(x => (float)(x % 100)));
        Assert.Equal(batches.Select(b => new[] { b.Sum(x => (double)x) }), doubles);
        Assert.Equal(batches.Select(b => new[] { b.Sum(x => (decimal)x / 4) }), decimals);
        Assert.Equal(batches.Select(b => new[] { b.Sum(x => (float)(x % 100)) }), floats);
    }

    [Fact]
    public async Task Sum_that_overflows_fails_the_batch_with_an_OverflowException()
    {
        await using var harness = new StreamHarness(options: new StreamingOptions { StopOnBatchFailure = false });
        var sums = harness.Queue(new[] { new[] { long.MaxValue, 1L }, new[] { 1L, 2L } }).Sum();
        var results = StreamHarness.Collect(sums);
        var intSums = harness.Queue(new[] { new[] { int.MaxValue, 1 }, new[] { 3 } }).Sum();
        StreamHarness.Collect(intSums);
        await harness.StartAsync();
        var first = await harness.RunBatchAsync();
        var second = await harness.RunBatchAsync();
        var failure = Assert.IsType<BatchFailedException>(first.Failure);
        Assert.IsType<OverflowException>(failure.InnerException);
        Assert.Contains("BatchAggregate", failure.Operation);
        Assert.Null(second.Failure);
        Assert.Equal(new[] { 3L }, results[second.Time]);
    }

    [Fact]
    public async Task Sum_of_an_int_stream_that_leaves_int_range_fails_the_batch()
    {
        await using var harness = new StreamHarness(options: new StreamingOptions { StopOnBatchFailure = false });
        var results = StreamHarness.Collect(harness.Queue(new[] { new[] { int.MaxValue, 1 } }).Sum());
        await harness.StartAsync();
        var batch = await harness.RunBatchAsync();
        Assert.IsType<OverflowException>(Assert.IsType<BatchFailedException>(batch.Failure).InnerException);
        Assert.Empty(results);
    }

    [Fact]
    public void Explain_shows_one_batch_aggregate_absorbing_the_fused_chain()
    {
        var context = new StreamingContext(TimeSpan.FromSeconds(1));
        var sum = context.QueueStream(new System.Collections.Concurrent.ConcurrentQueue<IEnumerable<int>>())
            .Where(x => x > 0)
            .Select(x => (long)x)
            .Sum();
        var plan = sum.Explain();
        Assert.Contains("BatchAggregate", plan);
        Assert.Contains("Where", plan);
        Assert.Single(plan.Split('\n'), l => l.Contains("Map: Where", StringComparison.Ordinal) && l.Contains("⇒ FusedStage (in the same compiled loop", StringComparison.Ordinal));
        Assert.DoesNotContain("LinqToObjects", plan);
    }

    [Fact]
    public async Task An_aggregate_feeding_a_linq_to_objects_operator_still_computes_per_batch()
    {
        await using var harness = new StreamHarness();
        var maxima = harness.Queue(new[] { new[] { 3, 9, 4 }, Array.Empty<int>() }).Max().OrderBy(x => x);
        var results = StreamHarness.Collect(maxima);
        await harness.StartAsync();
        var first = await harness.RunBatchAsync();
        var second = await harness.RunBatchAsync();
        Assert.Equal(new[] { 9 }, results[first.Time]);
        Assert.Empty(results[second.Time]);
    }

    /// <summary>Runs <paramref name="query"/> over a queue stream of <paramref name="batches"/>, one batch each.</summary>
    private static async Task<List<T[]>> RunAsync<T>(int[][] batches, byte partitionSize, Func<IDStream<int>, IDStream<T>> query)
    {
        var options = new StreamingOptions { MinPartitionSize = 1 + (partitionSize % 8), MaxDegreeOfParallelism = 3 };
        await using var harness = new StreamHarness(options: options);
        var results = StreamHarness.Collect(query(harness.Queue(batches)));
        await harness.StartAsync();
        var actual = new List<T[]>();
        foreach (var _ in batches)
        {
            var batch = await harness.RunBatchAsync();
            Assert.Null(batch.Failure);
            actual.Add(results[batch.Time]);
        }

        return actual;
    }
}
