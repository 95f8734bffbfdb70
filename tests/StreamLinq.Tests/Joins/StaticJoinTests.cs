using FsCheck.Xunit;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Joins;

/// <summary>
/// A join of a stream with static data, fused into the compiled loop as a lookup per record,
/// against LINQ's Join over the same batches: same pairs, same order, null keys never matching.
/// </summary>
public class StaticJoinTests
{
    private sealed record Row(int? Id, string Name);

    [Property(MaxTest = 25)]
    public async Task Join_with_static_rows_equals_linq_including_duplicate_keys_and_order(int[][] batches, int[] tableKeys, byte partitionSize)
    {
        var table = tableKeys.Select((k, i) => new Row(k % 5 == 0 ? null : k % 17, "row" + i)).ToList();
        var actual = await RunAsync(batches, partitionSize, s => s.Join(table, x => (int?)(x % 17), r => r.Id, (x, r) => x + ":" + r.Name));
        var expected = batches.Select(b => b.Join(table, x => (int?)(x % 17), r => r.Id, (x, r) => x + ":" + r.Name).ToArray());
        Assert.Equal(expected, actual);
    }

    [Property(MaxTest = 25)]
    public async Task Filter_join_then_grouped_count_equals_linq(int[][] batches, byte partitionSize)
    {
        var table = Enumerable.Range(0, 10).Select(i => new Row(i, "g" + (i % 3))).ToArray();
        var actual = await RunAsync(batches, partitionSize, s => s
            .Where(x => x > -1000)
            .Join(table, x => (int?)Math.Abs(x % 12), r => r.Id, (x, r) => r.Name)
            .GroupBy(n => n)
            .Select(g => new { g.Key, Count = g.Count() }));
        var expected = batches.Select(b => b
            .Where(x => x > -1000)
            .Join(table, x => (int?)Math.Abs(x % 12), r => r.Id, (x, r) => r.Name)
            .GroupBy(n => n)
            .Select(g => new { g.Key, Count = g.Count() })
            .ToArray());
        Assert.Equal(expected, actual);
    }

    [Property(MaxTest = 30)]
    public async Task A_table_changed_between_batches_in_rows_or_in_keys_joins_as_LINQ_over_its_contents_at_each_batch((int[] Records, int[] TableKeys, bool SameKeys)[] batches)
    {
        // Rows are replaced in place: with SameKeys only their names change (the kept index is
        // refreshed), otherwise the keys are the batch's own (the index is rebuilt).
        await using var harness = new StreamHarness(options: Oracle.SmallPartitions);
        var table = new List<Row>();
        var joined = harness.Queue(batches.Select(b => b.Records)).Join(table, x => (int?)(x % 7), r => r.Id, (x, r) => x + ":" + r.Name);
        var results = StreamHarness.Collect(joined);
        await harness.StartAsync();
        for (var i = 0; i < batches.Length; i++)
        {
            var keys = batches[i].SameKeys ? table.Select(r => r.Id).ToArray() : batches[i].TableKeys.Select(k => k % 4 == 0 ? null : (int?)(k % 7)).ToArray();
            table.Clear();
            table.AddRange(keys.Select((k, j) => new Row(k, $"b{i}r{j}")));
            var batch = await harness.RunBatchAsync();

            Assert.Null(batch.Failure);
            Assert.Equal(batches[i].Records.Join(table, x => (int?)(x % 7), r => r.Id, (x, r) => x + ":" + r.Name), results[batch.Time]);
        }
    }

    [Fact]
    public async Task The_static_collection_is_read_again_for_every_batch()
    {
        await using var harness = new StreamHarness();
        var table = new List<Row> { new(1, "one") };
        var joined = harness.Queue(new[] { new[] { 1, 2 }, new[] { 1, 2 } }).Join(table, x => (int?)x, r => r.Id, (x, r) => r.Name);
        var results = StreamHarness.Collect(joined);
        await harness.StartAsync();
        var first = await harness.RunBatchAsync();
        table.Add(new Row(2, "two"));
        var second = await harness.RunBatchAsync();
        Assert.Equal(new[] { "one" }, results[first.Time]);
        Assert.Equal(new[] { "one", "two" }, results[second.Time]);
    }

    [Fact]
    public void Explain_shows_the_join_fused_into_the_aggregation()
    {
        var context = new StreamingContext(TimeSpan.FromSeconds(1));
        var table = new[] { new Row(1, "one") };
        var counts = context.QueueStream(new System.Collections.Concurrent.ConcurrentQueue<IEnumerable<int>>())
            .Join(table, x => (int?)x, r => r.Id, (x, r) => r.Name)
            .GroupBy(n => n)
            .Select(g => new { g.Key, Count = g.Count() });
        var plan = counts.Explain();
        Assert.Contains("HashAggregate", plan);
        Assert.Contains("Join(", plan);
        Assert.DoesNotContain("LinqToObjects", plan);
    }

    [Fact]
    public async Task A_key_selector_that_throws_fails_the_batch_naming_the_join()
    {
        await using var harness = new StreamHarness(options: new StreamingOptions { StopOnBatchFailure = false });
        var table = new[] { new Row(1, "one") };
        var joined = harness.Queue(new[] { new[] { 0 } }).Join(table, x => (int?)(10 / x), r => r.Id, (x, r) => r.Name);
        StreamHarness.Collect(joined);
        await harness.StartAsync();
        var batch = await harness.RunBatchAsync();
        var failure = Assert.IsType<BatchFailedException>(batch.Failure);
        Assert.IsType<DivideByZeroException>(failure.InnerException);
        Assert.Contains("Join(", failure.Operation);
    }

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
