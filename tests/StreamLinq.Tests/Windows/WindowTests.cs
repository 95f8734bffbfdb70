using FsCheck;
using FsCheck.Xunit;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Windows;

public class WindowTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Window_refuses_a_length_or_slide_that_is_not_a_multiple_of_the_batch_interval()
    {
        await using var harness = new StreamHarness(Second);
        var stream = harness.Queue(new[] { new[] { 1 } });
        var error = Assert.Throws<ArgumentException>(() => stream.Window(TimeSpan.FromMilliseconds(2500), TimeSpan.FromSeconds(1)));
        Assert.Contains("00:00:02.5", error.Message);
        Assert.Contains("00:00:01", error.Message);
        Assert.Throws<ArgumentException>(() => stream.Window(TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(1500)));
        Assert.Throws<ArgumentException>(() => stream.Window(TimeSpan.Zero, Second));
        Assert.Throws<ArgumentException>(() => stream.Select(x => new KeyValuePair<int, int>(x, x)).ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, Second, TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public async Task Window_has_a_batch_only_at_slide_times_holding_the_batches_it_covers()
    {
        var batches = new[] { new[] { 1 }, new[] { 2 }, new[] { 3 }, new[] { 4 }, new[] { 5 } };
        var results = await BatchRun.RunAsync(batches, 6, s => s.Window(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(2)));
        Assert.Equal(new long[] { 2, 4, 6 }, results.Keys.Order());
        Assert.Equal(new[] { 1, 2 }, results[2]);
        Assert.Equal(new[] { 2, 3, 4 }, results[4]);
        Assert.Equal(new[] { 4, 5 }, results[6]);
    }

    [Fact]
    public async Task Outputs_of_the_same_source_without_a_window_still_run_every_batch()
    {
        await using var harness = new StreamHarness(Second);
        var source = harness.Queue(new[] { new[] { 1 }, new[] { 2 }, new[] { 3 } });
        var windowed = StreamHarness.Collect(source.Window(2 * Second, 2 * Second).Select(x => x * 10));
        var plain = StreamHarness.Collect(source.Select(x => x + 1));
        await harness.StartAsync();
        var times = new List<BatchTime>();
        for (var i = 0; i < 3; i++)
        {
            times.Add((await harness.RunBatchAsync()).Time);
        }

        Assert.Equal(times, plain.Keys.Order());
        Assert.Equal(new[] { times[1] }, windowed.Keys);
        Assert.Equal(new[] { 10, 20 }, windowed[times[1]]);
    }

    [Fact]
    public async Task A_reduce_function_that_throws_fails_the_batch_naming_the_windowed_operator()
    {
        await using var harness = new StreamHarness(Second, new StreamingOptions { StopOnBatchFailure = false });
        var pairs = harness.Queue(new[] { new[] { new KeyValuePair<string, int>("a", 1), new KeyValuePair<string, int>("a", 0) } });
        pairs.ReduceByKeyAndWindow((a, b) => a / b, 2 * Second, Second).ForEachBatch((_, _) => { });
        await harness.StartAsync();
        var batch = await harness.RunBatchAsync();
        Assert.NotNull(batch.Failure);
        Assert.Contains("WindowedReduceByKey", batch.Failure.Message);
        Assert.IsType<DivideByZeroException>(batch.Failure.InnerException);
    }

    [Property(MaxTest = 25)]
    public void Any_query_over_a_window_equals_the_same_query_over_the_windows_records(int[][] input, PositiveInt lengthMultiple, PositiveInt slideMultiple)
    {
        var batches = BatchRun.Clean(input);
        var (length, slide) = (1 + (lengthMultiple.Get % 4), 1 + (slideMultiple.Get % 3));
        var total = batches.Length + length;
        var results = BatchRun.RunAsync(batches, total, s => s.Window(length * Second, slide * Second).Where(x => x % 3 != 0).OrderBy(x => x).Select(x => x * 2))
            .GetAwaiter().GetResult();
        for (var t = 1; t <= total; t++)
        {
            if (t % slide != 0)
            {
                Assert.False(results.ContainsKey(t));
                continue;
            }

            var expected = BatchRun.WindowRecords(batches, t, length).Where(x => x % 3 != 0).OrderBy(x => x).Select(x => x * 2);
            Assert.Equal(expected, results[t]);
        }
    }

    [Property(MaxTest = 25)]
    public void CountByWindow_and_ReduceByWindow_equal_the_windows_count_and_sum(int[][] input, PositiveInt lengthMultiple, PositiveInt slideMultiple)
    {
        var batches = BatchRun.Clean(input).Select(b => b.Select(x => (long)x).ToArray()).ToArray();
        var (length, slide) = (1 + (lengthMultiple.Get % 5), 1 + (slideMultiple.Get % 3));
        var total = batches.Length + length;
        var counts = BatchRun.RunAsync(batches, total, s => s.CountByWindow(length * Second, slide * Second)).GetAwaiter().GetResult();
        var sums = BatchRun.RunAsync(batches, total, s => s.ReduceByWindow((a, b) => a + b, length * Second, slide * Second)).GetAwaiter().GetResult();
        var incremental = BatchRun.RunAsync(batches, total, s => s.ReduceByWindow((a, b) => a + b, (a, b) => a - b, length * Second, slide * Second)).GetAwaiter().GetResult();
        var windowCounts = BatchRun.RunAsync(batches, total, s => s.Window(length * Second, slide * Second).Count()).GetAwaiter().GetResult();
        for (var t = slide; t <= total; t += slide)
        {
            var window = BatchRun.WindowRecords(batches, t, length).ToArray();
            Assert.Equal(new[] { window.LongLength }, counts[t]);
            Assert.Equal(new[] { window.LongLength }, windowCounts[t]);
            var expectedSum = window.Length == 0 ? Array.Empty<long>() : [window.Sum()];
            Assert.Equal(expectedSum, sums[t]);
            Assert.Equal(expectedSum, incremental[t]);
        }
    }

    [Property(MaxTest = 25)]
    public void ReduceByKeyAndWindow_with_and_without_inverse_equals_grouping_the_windows_records(int[][] input, PositiveInt lengthMultiple, PositiveInt slideMultiple)
    {
        var batches = BatchRun.Clean(input).Select(b => b.Select(x => new KeyValuePair<int, long>(Math.Abs(x % 4), x)).ToArray()).ToArray();
        var (length, slide) = (1 + (lengthMultiple.Get % 5), 1 + (slideMultiple.Get % 3));
        var total = batches.Length + length;
        var plain = BatchRun.RunAsync(batches, total, s => s.ReduceByKeyAndWindow((a, b) => a + b, length * Second, slide * Second)).GetAwaiter().GetResult();
        var inverse = BatchRun.RunAsync(batches, total, s => s.ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, length * Second, slide * Second)).GetAwaiter().GetResult();
        var filtered = BatchRun.RunAsync(batches, total, s => s.ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, length * Second, slide * Second, p => p.Value > 0)).GetAwaiter().GetResult();
        for (var t = slide; t <= total; t += slide)
        {
            var expected = BatchRun.WindowRecords(batches, t, length)
                .GroupBy(p => p.Key)
                .Select(g => new KeyValuePair<int, long>(g.Key, g.Sum(p => p.Value)))
                .OrderBy(p => p.Key)
                .ToArray();
            Assert.Equal(expected, plain[t].OrderBy(p => p.Key));
            Assert.Equal(expected, inverse[t].OrderBy(p => p.Key));
            Assert.Equal(expected.Where(p => p.Value > 0), filtered[t].OrderBy(p => p.Key));
        }
    }

    [Property(MaxTest = 25)]
    public void CountByValueAndWindow_equals_counting_the_windows_records_and_drops_values_that_left(int[][] input, PositiveInt lengthMultiple, PositiveInt slideMultiple)
    {
        var batches = BatchRun.Clean(input).Select(b => b.Select(x => x % 5).ToArray()).ToArray();
        var (length, slide) = (1 + (lengthMultiple.Get % 5), 1 + (slideMultiple.Get % 3));
        var total = batches.Length + length;
        var results = BatchRun.RunAsync(batches, total, s => s.CountByValueAndWindow(length * Second, slide * Second)).GetAwaiter().GetResult();
        for (var t = slide; t <= total; t += slide)
        {
            var expected = BatchRun.WindowRecords(batches, t, length).CountBy(x => x).Select(p => new KeyValuePair<int, long>(p.Key, p.Value)).OrderBy(p => p.Key);
            Assert.Equal(expected, results[t].OrderBy(p => p.Key));
        }
    }
}
