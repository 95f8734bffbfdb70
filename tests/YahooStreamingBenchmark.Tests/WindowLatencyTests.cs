namespace YahooStreamingBenchmark.Tests;

/// <summary>The report prints a window-latency percentile only when there are enough windows for it to mean something.</summary>
public class WindowLatencyTests
{
    [Theory]
    [InlineData(0.5, 2)]
    [InlineData(0.9, 10)]
    [InlineData(0.99, 100)]
    public void A_percentile_needs_as_many_windows_as_one_over_its_tail(double percentile, int windows) =>
        Assert.Equal(windows, WindowLatency.WindowsFor(percentile));

    [Fact]
    public void With_fifty_windows_p50_and_p90_are_printed_and_p99_is_not()
    {
        var latencies = Enumerable.Range(1, 50).Select(i => (long)i * 10).ToArray();
        var rows = WindowLatency.Rows(latencies).ToDictionary(r => r.Label);

        Assert.Equal("250 ms", rows["window latency p50"].Value);
        Assert.Equal("450 ms", rows["window latency p90"].Value);
        Assert.Equal("n/a", rows["window latency p99"].Value);
        Assert.Contains("needs at least 100 windows, the run had 50", rows["window latency p99"].Note, StringComparison.Ordinal);
        Assert.Equal("500 ms", rows["window latency max"].Value);
    }

    [Fact]
    public void With_a_hundred_windows_p99_is_the_ninety_ninth_smallest()
    {
        var latencies = Enumerable.Range(1, 100).Select(i => (long)i).ToArray();
        var rows = WindowLatency.Rows(latencies).ToDictionary(r => r.Label);

        Assert.Equal("99 ms", rows["window latency p99"].Value);
        Assert.Equal("50 ms", rows["window latency p50"].Value);
    }

    [Fact]
    public void Without_windows_the_report_says_to_run_longer()
    {
        var row = Assert.Single(WindowLatency.Rows([]));
        Assert.Equal("n/a", row.Value);
        Assert.Contains("run for longer", row.Note, StringComparison.Ordinal);
    }
}
