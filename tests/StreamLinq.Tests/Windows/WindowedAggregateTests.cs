using FsCheck;
using FsCheck.Xunit;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Windows;

public class WindowedAggregateTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Grouped_count_and_sum_over_a_window_compile_to_an_incremental_windowed_aggregation()
    {
        await using var harness = new StreamHarness(Second);
        var stream = harness.Queue(new[] { new[] { 1 } });
        var incremental = stream.Window(TimeSpan.FromSeconds(3), Second).GroupBy(x => x % 2).Select(g => new { g.Key, N = g.Count(), S = g.Sum(x => x) });
        var merged = stream.Window(TimeSpan.FromSeconds(3), Second).GroupBy(x => x % 2).Select(g => new { g.Key, M = g.Max() });
        Assert.Contains("WindowedAggregate", incremental.Explain());
        Assert.Contains("incremental", incremental.Explain());
        Assert.Contains("WindowedAggregate", merged.Explain());
        Assert.Contains("merges one partial aggregate per batch", merged.Explain());
        Assert.DoesNotContain("keeps the records of the window's batches", incremental.Explain());
        Assert.Contains("WindowedReduce", stream.Window(TimeSpan.FromSeconds(3), Second).Count().Explain());
    }

    [Property(MaxTest = 25)]
    public void Incremental_and_merged_windowed_aggregations_equal_grouping_the_windows_records(int[][] input, PositiveInt lengthMultiple, PositiveInt slideMultiple)
    {
        var batches = BatchRun.Clean(input);
        var (length, slide) = (1 + (lengthMultiple.Get % 5), 1 + (slideMultiple.Get % 3));
        var total = batches.Length + length;
        var incremental = BatchRun.RunAsync(batches, total, s => s
                .Window(length * Second, slide * Second)
                .Where(x => x != 7)
                .GroupBy(x => x % 4)
                .Select(g => new Row(g.Key, g.Count(), g.Sum(x => (long)x), g.Count(x => x > 0), g.Average(x => x), 0)))
            .GetAwaiter().GetResult();
        var merged = BatchRun.RunAsync(batches, total, s => s
                .Window(length * Second, slide * Second)
                .Where(x => x != 7)
                .GroupBy(x => x % 4)
                .Select(g => new Row(g.Key, g.Count(), g.Sum(x => (long)x), g.Count(x => x > 0), g.Average(x => x), g.Max())))
            .GetAwaiter().GetResult();
        for (var t = 1; t <= total; t++)
        {
            if (t % slide != 0)
            {
                Assert.False(incremental.ContainsKey(t));
                Assert.False(merged.ContainsKey(t));
                continue;
            }

            var groups = BatchRun.WindowRecords(batches, t, length).Where(x => x != 7).GroupBy(x => x % 4).ToArray();
            var expected = groups.Select(g => new Row(g.Key, g.Count(), g.Sum(x => (long)x), g.Count(x => x > 0), g.Average(x => x), 0)).OrderBy(r => r.Key);
            Assert.Equal(expected, incremental[t].OrderBy(r => r.Key));
            Assert.Equal(groups.Select(g => new Row(g.Key, g.Count(), g.Sum(x => (long)x), g.Count(x => x > 0), g.Average(x => x), g.Max())), merged[t]);
        }
    }

    [Fact]
    public async Task A_key_whose_records_all_left_the_window_is_no_longer_reported()
    {
        var batches = new[] { new[] { "a", "b" }, new[] { "b" }, Array.Empty<string>(), Array.Empty<string>() };
        var results = await BatchRun.RunAsync(batches, 4, s => s.Window(TimeSpan.FromSeconds(2), Second).GroupBy(w => w).Select(g => new { g.Key, N = g.Count() }));
        Assert.Equal(new[] { ("a", 1), ("b", 1) }, results[1].Select(r => (r.Key, r.N)).Order());
        Assert.Equal(new[] { ("a", 1), ("b", 2) }, results[2].Select(r => (r.Key, r.N)).Order());
        Assert.Equal(new[] { ("b", 1) }, results[3].Select(r => (r.Key, r.N)));
        Assert.Empty(results[4]);
    }

    private sealed record Row(int Key, int N, long S, int Positive, double Mean, int Max);
}
