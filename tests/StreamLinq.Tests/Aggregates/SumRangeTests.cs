using System.Globalization;
using FsCheck;
using FsCheck.Xunit;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Aggregates;

/// <summary>
/// Sums of int and long are kept in a wider accumulator, so a partial, running or intermediate
/// sum never overflows; only the value a batch or window emits is checked against the result's
/// range, and fails the batch with an <see cref="OverflowException"/> when the true sum does not fit.
/// </summary>
public class SumRangeTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task An_incremental_windowed_int_sum_holds_the_window_that_fits_after_a_batch_near_the_top_of_the_range()
    {
        // Window(1 s, 1 s): the second window holds only [1]; adding it before subtracting
        // int.MaxValue must not overflow.
        var results = await RunAsync(new[] { new[] { int.MaxValue }, new[] { 1 } }, 2, s => s
            .Window(Second, Second).GroupBy(x => 0).Select(g => new { Sum = g.Sum(), Mean = g.Average(), N = g.Count() }));
        Assert.Equal(new[] { (int.MaxValue, (double)int.MaxValue, 1) }, Single(results, 1).Select(r => (r.Sum, r.Mean, r.N)));
        Assert.Equal(new[] { (1, 1.0, 1) }, Single(results, 2).Select(r => (r.Sum, r.Mean, r.N)));
    }

    [Fact]
    public async Task Incremental_windowed_long_and_decimal_sums_and_averages_hold_windows_that_fit_after_batches_at_the_top_of_the_range()
    {
        var longs = await RunAsync(new[] { new[] { long.MaxValue }, new[] { 1L } }, 2, s => s
            .Window(Second, Second).GroupBy(x => 0).Select(g => new { Sum = g.Sum(), Mean = g.Average() }));
        var decimals = await RunAsync(new[] { new[] { decimal.MaxValue }, new[] { 1m } }, 2, s => s
            .Window(Second, Second).GroupBy(x => 0).Select(g => new { Sum = g.Sum(), Mean = g.Average() }));
        Assert.Equal(new[] { (1L, 1.0) }, Single(longs, 2).Select(r => (r.Sum, r.Mean)));
        Assert.Equal(new[] { (1m, 1m) }, Single(decimals, 2).Select(r => (r.Sum, r.Mean)));
    }

    [Theory]
    [InlineData("1.00", "2.0", "0")]
    [InlineData("10000000000000000000000000000", "0.0000001", "0")]
    [InlineData("1.5", "-1.50", "2.000")]
    public async Task A_windowed_decimal_sum_and_average_print_as_LINQs_over_the_windows_records(string first, string second, string third)
    {
        // Decimal addition keeps the larger scale and rounds past 28 digits, so subtracting a
        // leaving batch from a running sum does not give back the sum of the batches left
        // (2.00 for 2.0, 0 for 0.0000001): the window's value must be LINQ's over its records.
        decimal[][] batches = [[Parse(first)], [Parse(second)], [Parse(third)], []];
        var results = await RunAsync(batches, batches.Length, s => s
            .Window(2 * Second, Second).GroupBy(x => 0).Select(g => new { Sum = g.Sum(), Mean = g.Average() }));
        for (var t = 1; t <= batches.Length; t++)
        {
            var records = BatchRun.WindowRecords(batches, t, 2).ToArray();
            var expected = records.Length == 0 ? [] : new[] { FormattableString.Invariant($"{records.Sum()} {records.Average()}") };
            Assert.Equal(expected, Single(results, t).Select(r => FormattableString.Invariant($"{r.Sum} {r.Mean}")));
        }

        static decimal Parse(string text) => decimal.Parse(text, CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_window_whose_true_sum_leaves_int_range_fails_its_batch_and_the_next_window_is_right_again()
    {
        var results = await RunAsync(new[] { new[] { int.MaxValue }, new[] { 1 }, Array.Empty<int>() }, 3, s => s
            .Window(2 * Second, Second).GroupBy(x => 0).Select(g => g.Sum()));
        Assert.Equal(new[] { int.MaxValue }, Single(results, 1));
        Assert.IsType<OverflowException>(Assert.IsType<BatchFailedException>(results[2].Failure).InnerException);
        Assert.Equal(new[] { 1 }, Single(results, 3));
    }

    [Fact]
    public async Task A_partition_whose_partial_sum_overflows_does_not_fail_a_batch_whose_total_fits()
    {
        // Two partitions, [-max, 0] and [max, max]: LINQ's running sum stays in range and ends at
        // max, but the second partition alone holds 2 * max.
        int[] ints = [-int.MaxValue, 0, int.MaxValue, int.MaxValue];
        long[] longs = [-long.MaxValue, 0, long.MaxValue, long.MaxValue];
        var options = new StreamingOptions { MinPartitionSize = 1, MaxDegreeOfParallelism = 2, StopOnBatchFailure = false };
        var grouped = await RunAsync(new[] { ints }, 1, s => s.GroupBy(x => 0).Select(g => g.Sum()), options);
        var groupedLongs = await RunAsync(new[] { longs }, 1, s => s.GroupBy(x => 0).Select(g => new { Sum = g.Sum(), Mean = g.Average() }), options);
        var total = await RunAsync(new[] { longs }, 1, s => s.Sum(), options);
        var mean = await RunAsync(new[] { longs }, 1, s => s.Average(), options);
        Assert.Equal(new[] { ints.Sum() }, Single(grouped, 1));
        Assert.Equal(new[] { (longs.Sum(), longs.Average()) }, Single(groupedLongs, 1).Select(r => (r.Sum, r.Mean)));
        Assert.Equal(new[] { longs.Sum() }, Single(total, 1));
        Assert.Equal(new[] { longs.Average() }, Single(mean, 1));
    }

    [Fact]
    public async Task A_long_sum_whose_running_sum_overflows_in_one_partition_gives_the_exact_total_also_over_a_static_join()
    {
        // One partition: the running sum leaves long's range after the second value and comes
        // back (upwards in the first batch, downwards in the second); the exact total fits.
        long[] up = [long.MaxValue, 5, -long.MaxValue, 7, -3];
        long[] down = [.. up.Select(x => -x)];
        (int Id, long Weight)[] table = [(0, 1), (1, -1)];
        var exact = (long)up.Aggregate(Int128.Zero, (sum, x) => sum + x);
        var options = new StreamingOptions { MinPartitionSize = 1_000, StopOnBatchFailure = false };
        var total = await RunAsync(new[] { up, down }, 2, s => s.Where(x => x != 0).Sum(), options);
        var joined = await RunAsync(new[] { up, down }, 2, s => s.Join(table, x => 0, d => d.Id, (x, d) => x * d.Weight).Sum(), options);
        Assert.Equal(new[] { exact }, Single(total, 1));
        Assert.Equal(new[] { -exact }, Single(total, 2));
        Assert.Equal(new[] { exact }, Single(joined, 1));
        Assert.Equal(new[] { -exact }, Single(joined, 2));
    }

    [Fact]
    public async Task ReduceByKeyAndWindow_and_ReduceByWindow_remove_the_leaving_batch_before_adding_the_entering_one()
    {
        var pairs = await RunAsync(new[] { new[] { int.MaxValue }, new[] { 1 } }, 2, s => s
            .Select(x => new KeyValuePair<string, int>("k", x))
            .ReduceByKeyAndWindow((a, b) => checked(a + b), (a, b) => checked(a - b), Second, Second));
        var values = await RunAsync(new[] { new[] { int.MaxValue }, new[] { 1 } }, 2, s => s
            .ReduceByWindow((a, b) => checked(a + b), (a, b) => checked(a - b), Second, Second));
        Assert.Equal(new[] { new KeyValuePair<string, int>("k", 1) }, Single(pairs, 2));
        Assert.Equal(new[] { 1 }, Single(values, 2));
    }

    [Fact]
    public async Task A_running_long_sum_beyond_long_range_survives_a_restart_through_the_checkpoint()
    {
        using var scratch = new Checkpointing.Scratch();
        var sums = new System.Collections.Concurrent.ConcurrentDictionary<BatchTime, long[]>();
        void Define(StreamingContext context) =>
            context.TextFileStream(scratch.Input)
                .Select(line => long.Parse(line, CultureInfo.InvariantCulture))
                .Window(2 * Second, 2 * Second)
                .GroupBy(x => 0)
                .Select(g => g.Sum())
                .ForEachBatch((batch, time) => sums[time] = batch.ToArray());

        // Batch 1 leaves 2 * long.MaxValue in the checkpointed state (no window ends at 1 s);
        // batch 2 brings the window's sum back into range.
        await using (var first = new Checkpointing.CheckpointHarness(scratch.Checkpoints, Define))
        {
            await first.StartAsync();
            scratch.AddFile(Text(long.MaxValue), Text(long.MaxValue));
            Assert.Null((await first.RunUntilAsync(Checkpointing.CheckpointHarness.Second(1))).Failure);
            await first.Context.StopAsync(graceful: false);
        }

        await using var second = new Checkpointing.CheckpointHarness(scratch.Checkpoints, Define, clockStart: Checkpointing.CheckpointHarness.Second(1).Ticks);
        await second.StartAsync();
        scratch.AddFile(Text(-long.MaxValue), Text(-long.MaxValue), "5");
        Assert.Null((await second.RunUntilAsync(Checkpointing.CheckpointHarness.Second(2))).Failure);
        Assert.Equal(new[] { 5L }, sums[Checkpointing.CheckpointHarness.Second(2)]);
        Assert.Empty(second.Warnings);

        static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
    }

    [Fact]
    public void A_version_1_windowed_aggregate_state_is_read_into_the_wider_columns_of_version_2()
    {
        // Version 1 wrote int and long sums as JSON numbers of their own type; the same numbers
        // (written here from values within range) read into the long and Int128 columns.
        var context = new StreamingContext(Second);
        var stream = context.QueueStream(new System.Collections.Concurrent.ConcurrentQueue<IEnumerable<int>>())
            .Window(3 * Second, Second)
            .GroupBy(x => x % 2)
            .Select(g => new { g.Key, S = g.Sum(), L = g.Sum(x => (long)x * 1000), M = g.Average(x => (long)x) });
        var original = new StreamLinq.Query.PlanBuilder().Build(stream.Expression);
        var restored = new StreamLinq.Query.PlanBuilder().Build(stream.Expression);
        int[][] batches = [[1, 2, 3], [int.MaxValue - 100, 5], [-7], [8, 9], []];
        for (var b = 0; b < 2; b++)
        {
            Evaluate(original, b, batches[b]);
        }

        var op = StreamLinq.Query.ExecutionPlan.Nodes(original).OfType<StreamLinq.State.IStatefulOperator>().Single();
        Assert.Equal(2, op.StateVersion);
        using var buffer = new MemoryStream();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            op.WriteState(writer);
        }

        using var document = System.Text.Json.JsonDocument.Parse(buffer.ToArray());
        StreamLinq.Query.ExecutionPlan.Nodes(restored).OfType<StreamLinq.State.IStatefulOperator>().Single().ReadState(document.RootElement, version: 1);
        for (var b = 2; b < batches.Length; b++)
        {
            Assert.Equal(Evaluate(original, b, batches[b]), Evaluate(restored, b, batches[b]));
        }

        static string Evaluate(StreamLinq.Execution.PlanNode root, int index, int[] records)
        {
            var source = StreamLinq.Query.ExecutionPlan.Nodes(root).OfType<StreamLinq.Execution.SourceNode>().Single();
            var execution = new StreamLinq.Execution.BatchExecution(new BatchTime((index + 1) * Second.Ticks), new Dictionary<int, Array> { [source.InputId] = records }, new StreamingOptions(), CancellationToken.None);
            return string.Join("\n", execution.Evaluate(root)!.Cast<object>().Select(r => r.ToString()).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void A_version_1_windowed_long_sum_state_in_the_layout_version_1_wrote_restores()
    {
        // Version 1 wrote each aggregate column as one JSON array of numbers; a long sum's column
        // now also has accumulator arrays (Low, Carry), which that layout does not hold.
        var context = new StreamingContext(Second);
        var stream = context.QueueStream(new System.Collections.Concurrent.ConcurrentQueue<IEnumerable<int>>())
            .Window(3 * Second, Second)
            .GroupBy(x => x % 2)
            .Select(g => new { g.Key, L = g.Sum(x => (long)x * 1000), N = g.Count() });
        var original = new StreamLinq.Query.PlanBuilder().Build(stream.Expression);
        var restored = new StreamLinq.Query.PlanBuilder().Build(stream.Expression);
        int[][] batches = [[1, 2, 3], [int.MaxValue - 100, 5], [-7], [8, 9], []];
        for (var b = 0; b < 2; b++)
        {
            Evaluate(original, b, batches[b]);
        }

        var op = StreamLinq.Query.ExecutionPlan.Nodes(original).OfType<StreamLinq.State.IStatefulOperator>().Single();
        using var buffer = new MemoryStream();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            op.WriteState(writer);
        }

        var state = System.Text.Json.Nodes.JsonNode.Parse(buffer.ToArray())!;
        var tables = state["batches"]!.AsArray().Select(entry => entry!["partial"]!).Append(state["running"]!).ToList();
        foreach (var table in tables)
        {
            var columns = table["columns"]!.AsArray();
            for (var c = 0; c < columns.Count; c++)
            {
                var values = columns[c]!["Values"]!.AsArray().Select(v => (System.Text.Json.Nodes.JsonNode?)System.Text.Json.Nodes.JsonValue.Create(long.Parse(v!.ToString(), CultureInfo.InvariantCulture)));
                columns[c] = new System.Text.Json.Nodes.JsonArray(values.ToArray());
            }
        }

        using var document = System.Text.Json.JsonDocument.Parse(state.ToJsonString());
        StreamLinq.Query.ExecutionPlan.Nodes(restored).OfType<StreamLinq.State.IStatefulOperator>().Single().ReadState(document.RootElement, version: 1);
        for (var b = 2; b < batches.Length; b++)
        {
            Assert.Equal(Evaluate(original, b, batches[b]), Evaluate(restored, b, batches[b]));
        }

        static string Evaluate(StreamLinq.Execution.PlanNode root, int index, int[] records)
        {
            var source = StreamLinq.Query.ExecutionPlan.Nodes(root).OfType<StreamLinq.Execution.SourceNode>().Single();
            var execution = new StreamLinq.Execution.BatchExecution(new BatchTime((index + 1) * Second.Ticks), new Dictionary<int, Array> { [source.InputId] = records }, new StreamingOptions(), CancellationToken.None);
            return string.Join("\n", execution.Evaluate(root)!.Cast<object>().Select(r => r.ToString()).Order(StringComparer.Ordinal));
        }
    }

    [Property(MaxTest = 40)]
    public void Windowed_grouped_int_sums_equal_the_true_sum_and_fail_exactly_when_it_leaves_int_range(int[][] input, PositiveInt lengthMultiple, PositiveInt slideMultiple)
    {
        // Values near both ends of the range, so that running sums cross the bounds often.
        var batches = BatchRun.Clean(input).Select(b => b.Take(4).Select(Extreme).ToArray()).ToArray();
        var (length, slide) = (1 + (lengthMultiple.Get % 4), 1 + (slideMultiple.Get % 2));
        var total = batches.Length + length;
        var results = RunAsync(batches, total, s => s
                .Window(length * Second, slide * Second)
                .GroupBy(x => x & 1)
                .Select(g => new { g.Key, Sum = g.Sum(), N = g.Count() }))
            .GetAwaiter().GetResult();
        for (var t = slide; t <= total; t += slide)
        {
            var groups = BatchRun.WindowRecords(batches, t, length).GroupBy(x => x & 1).Select(g => (g.Key, Sum: g.Sum(x => (long)x), N: g.Count())).ToArray();
            if (groups.Any(g => g.Sum is > int.MaxValue or < int.MinValue))
            {
                Assert.IsType<OverflowException>(Assert.IsType<BatchFailedException>(results[t].Failure).InnerException);
                continue;
            }

            Assert.Null(results[t].Failure);
            Assert.Equal(groups.Select(g => (g.Key, (int)g.Sum, g.N)).Order(), results[t].Records!.Select(r => (r.Key, r.Sum, r.N)).Order());
        }
    }

    [Property(MaxTest = 40)]
    public void Per_batch_long_sums_over_partitions_equal_the_true_sum_and_fail_exactly_when_it_leaves_long_range(long[][] input, byte partitionSize)
    {
        var batches = (input ?? []).Take(6).Select(b => (b ?? []).Take(12).Select(x => x % 3 == 0 ? long.MaxValue - Math.Abs(x % 1000) : x % 3 == 1 ? long.MinValue + Math.Abs(x % 1000) : x).ToArray()).ToArray();
        var options = new StreamingOptions { MinPartitionSize = 1 + (partitionSize % 4), MaxDegreeOfParallelism = 3, StopOnBatchFailure = false };
        var global = RunAsync(batches, batches.Length, s => s.Sum(), options).GetAwaiter().GetResult();
        var grouped = RunAsync(batches, batches.Length, s => s.GroupBy(x => x & 1).Select(g => new { g.Key, Sum = g.Sum() }), options).GetAwaiter().GetResult();
        for (var t = 1; t <= batches.Length; t++)
        {
            var batch = batches[t - 1];
            var exact = batch.Aggregate(Int128.Zero, (sum, x) => sum + x);
            if (exact > long.MaxValue || exact < long.MinValue)
            {
                Assert.IsType<OverflowException>(Assert.IsType<BatchFailedException>(global[t].Failure).InnerException);
            }
            else
            {
                Assert.Equal(new[] { (long)exact }, global[t].Records);
            }

            var groups = batch.GroupBy(x => x & 1).Select(g => (g.Key, Sum: g.Aggregate(Int128.Zero, (sum, x) => sum + x))).ToArray();
            if (groups.Any(g => g.Sum > long.MaxValue || g.Sum < long.MinValue))
            {
                Assert.IsType<OverflowException>(Assert.IsType<BatchFailedException>(grouped[t].Failure).InnerException);
            }
            else
            {
                Assert.Equal(groups.Select(g => (g.Key, (long)g.Sum)).Order(), grouped[t].Records!.Select(r => (r.Key, r.Sum)).Order());
            }
        }
    }

    private static int Extreme(int x) => (x % 3) switch
    {
        0 => int.MaxValue - Math.Abs(x % 1000),
        1 or -1 => int.MinValue + Math.Abs(x % 1000),
        _ => x,
    };

    private static T[] Single<T>(IReadOnlyDictionary<long, Outcome<T>> results, long time)
    {
        Assert.Null(results[time].Failure);
        return results[time].Records!;
    }

    /// <summary>Runs the query for <paramref name="totalBatches"/> batches; a failed batch is recorded, not thrown.</summary>
    private static async Task<IReadOnlyDictionary<long, Outcome<TResult>>> RunAsync<TSource, TResult>(
        IReadOnlyList<TSource[]> batches,
        int totalBatches,
        Func<IDStream<TSource>, IDStream<TResult>> query,
        StreamingOptions? options = null)
    {
        await using var harness = new StreamHarness(Second, options ?? new StreamingOptions { StopOnBatchFailure = false });
        var results = StreamHarness.Collect(query(harness.Queue(batches)));
        await harness.StartAsync();
        var outcomes = new Dictionary<long, Outcome<TResult>>();
        for (var i = 0; i < totalBatches; i++)
        {
            var info = await harness.RunBatchAsync();
            var time = info.Time.Ticks / Second.Ticks;
            outcomes[time] = info.Failure is { } failure
                ? new Outcome<TResult>(null, failure)
                : new Outcome<TResult>(results.TryGetValue(info.Time, out var records) ? records : null, null);
        }

        return outcomes;
    }

    private sealed record Outcome<T>(T[]? Records, Exception? Failure);
}
