using FsCheck.Xunit;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Aggregates;

/// <summary>
/// Grouped aggregation (the hash table, its growth and the merge of partitions) against LINQ's
/// GroupBy over the same batches: same groups, same order of first appearance, same aggregates.
/// </summary>
public class HashAggregateTests
{
    [Property(MaxTest = 25)]
    public async Task Grouped_count_and_sum_equal_linq_including_order_of_first_appearance(int[][] batches, byte partitionSize, byte keyRange)
    {
        // Up to a few hundred distinct keys per batch, so the table grows and rehashes.
        var range = 1 + keyRange * 4;
        var actual = await RunAsync(batches, partitionSize, s => s.GroupBy(x => x % range).Select(g => new { g.Key, Count = g.Count(), Sum = g.Sum(x => (long)x) }));
        var expected = batches.Select(b => b.GroupBy(x => x % range).Select(g => new { g.Key, Count = g.Count(), Sum = g.Sum(x => (long)x) }).ToArray());
        Assert.Equal(expected, actual);
    }

    [Property(MaxTest = 25)]
    public async Task Distinct_keys_across_many_partitions_each_get_one_group(int[][] batches, byte partitionSize)
    {
        var actual = await RunAsync(batches, partitionSize, s => s.GroupBy(x => x).Select(g => new { g.Key, Min = g.Min(), Max = g.Max(), Average = g.Average() }));
        var expected = batches.Select(b => b.GroupBy(x => x).Select(g => new { g.Key, Min = g.Min(), Max = g.Max(), Average = g.Average() }).ToArray());
        Assert.Equal(expected, actual);
    }

    [Property(MaxTest = 25)]
    public async Task String_keys_with_a_null_key_group_as_linq_does(int[][] batches, byte partitionSize)
    {
        var actual = await RunAsync(batches, partitionSize, s => s
            .Select(x => x % 5 == 0 ? null : "k" + (x % 13))
            .GroupBy(k => k)
            .Select(g => new { g.Key, Count = g.LongCount() }));
        var expected = batches.Select(b => b
            .Select(x => x % 5 == 0 ? null : "k" + (x % 13))
            .GroupBy(k => k)
            .Select(g => new { g.Key, Count = g.LongCount() })
            .ToArray());
        Assert.Equal(expected, actual);
    }

    [Property(MaxTest = 25)]
    public async Task Composite_keys_group_as_linq_does(int[][] batches, byte partitionSize)
    {
        var actual = await RunAsync(batches, partitionSize, s => s.GroupBy(x => new { A = x % 3, B = x % 7 == 0 }).Select(g => new { g.Key.A, g.Key.B, Count = g.Count() }));
        var expected = batches.Select(b => b.GroupBy(x => new { A = x % 3, B = x % 7 == 0 }).Select(g => new { g.Key.A, g.Key.B, Count = g.Count() }).ToArray());
        Assert.Equal(expected, actual);
    }

    [Property(MaxTest = 25)]
    public async Task Many_keys_aggregated_by_radix_partitions_equal_linq_including_order_of_first_appearance(int[][] batches, byte partitionSize)
    {
        // Nearly every record its own key, batch after batch: from the second batch on the keys
        // expected are many for the partition size, so the batch is split by key hash.
        var actual = await RunAsync(batches, partitionSize, s => s.SelectMany(x => new[] { x, x / 2 }).GroupBy(x => x % 1000).Select(g => new { g.Key, Count = g.Count(), Sum = g.Sum(x => (long)x), Min = g.Min() }));
        var expected = batches.Select(b => b.SelectMany(x => new[] { x, x / 2 }).GroupBy(x => x % 1000).Select(g => new { g.Key, Count = g.Count(), Sum = g.Sum(x => (long)x), Min = g.Min() }).ToArray());
        Assert.Equal(expected, actual);
    }

    [Property(MaxTest = 25)]
    public async Task Many_string_keys_with_a_null_key_in_radix_partitions_group_as_linq_does(int[][] batches, byte partitionSize)
    {
        var actual = await RunAsync(batches, partitionSize, s => s.Select(x => x % 9 == 0 ? null : "k" + x).GroupBy(k => k).Select(g => new { g.Key, Count = g.Count() }));
        var expected = batches.Select(b => b.Select(x => x % 9 == 0 ? null : "k" + x).GroupBy(k => k).Select(g => new { g.Key, Count = g.Count() }).ToArray());
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    public async Task Tables_kept_from_batch_to_batch_start_empty_whether_the_key_count_grows_shrinks_or_the_batch_is_empty(byte partitionSize)
    {
        // Many keys (the kept tables grow, and with partitions the keys are radix-partitioned),
        // few (a table eight times too big is dropped), many others, none, and a null key.
        int[][] batches =
        [
            [.. Enumerable.Range(0, 6_000).Select(i => i * 7 % 5_003)],
            [1, 2, 3, 1, 2, 3],
            [.. Enumerable.Range(0, 6_000).Select(i => 10_000 + (i * 11 % 4_001))],
            [],
            [.. Enumerable.Range(0, 3_000).Select(i => 10_000 + (i % 1_500))],
            [0, 5, 0, 10, 5],
        ];
        var actual = await RunAsync(batches, partitionSize, s => s.GroupBy(x => x % 5 == 0 ? null : "k" + (x % 2_000)).Select(g => new { g.Key, Count = g.Count(), Sum = g.Sum(x => (long)x) }));
        var expected = batches.Select(b => b.GroupBy(x => x % 5 == 0 ? null : "k" + (x % 2_000)).Select(g => new { g.Key, Count = g.Count(), Sum = g.Sum(x => (long)x) }).ToArray());
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    public async Task A_batch_a_hundred_times_the_last_ones_size_aggregates_as_linq_does_with_its_table_sized_from_the_keys_per_record(byte partitionSize)
    {
        // Tables are sized from the last non-empty batch's groups per record: about one key in two
        // records, then a batch a hundred times bigger with the same ratio, an empty one (which
        // leaves the estimate alone), one with a key per record, and a small one again.
        int[][] batches =
        [
            [.. Enumerable.Range(0, 400).Select(i => i / 2)],
            [.. Enumerable.Range(0, 40_000).Select(i => i / 2 * 7)],
            [],
            [.. Enumerable.Range(0, 20_000).Select(i => -i)],
            [.. Enumerable.Range(0, 10).Select(i => i % 3)],
        ];
        var actual = await RunAsync(batches, partitionSize, s => s.GroupBy(x => x).Select(g => new { g.Key, Count = g.Count(), Sum = g.Sum(x => (long)x) }));
        var expected = batches.Select(b => b.GroupBy(x => x).Select(g => new { g.Key, Count = g.Count(), Sum = g.Sum(x => (long)x) }).ToArray());
        Assert.Equal(expected, actual);
    }

    private static async Task<List<T[]>> RunAsync<T>(int[][] batches, byte partitionSize, Func<IDStream<int>, IDStream<T>> query)
    {
        var options = new StreamingOptions { MinPartitionSize = 1 + (partitionSize % 8), MaxDegreeOfParallelism = 3 };
        await using var harness = new StreamHarness(options: options);
        var stream = query(harness.Queue(batches));
        Assert.Contains("HashAggregate", stream.Explain());
        var results = StreamHarness.Collect(stream);
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
