using StreamLinq.Tests.Support;

namespace StreamLinq.Tests;

public class WordCountTests
{
    [Fact]
    public async Task Word_count_over_two_batches_counts_each_batch_separately()
    {
        await using var harness = new StreamHarness();
        var lines = harness.Queue(new[] { new[] { "a b a", "c" }, new[] { "b b" } });
        var counts = lines
            .SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(w => w.Length > 0)
            .GroupBy(w => w)
            .Select(g => new { Word = g.Key, Count = g.Count() });
        var results = StreamHarness.Collect(counts);
        await harness.StartAsync();
        var first = await harness.RunBatchAsync();
        var second = await harness.RunBatchAsync();
        Assert.Null(first.Failure);
        Assert.Equal(new[] { ("a", 2), ("b", 1), ("c", 1) }, results[first.Time].Select(r => (r.Word, r.Count)));
        Assert.Equal(new[] { ("b", 2) }, results[second.Time].Select(r => (r.Word, r.Count)));
        var plan = counts.Explain();
        Assert.Contains("HashAggregate", plan);
        Assert.Contains("SelectMany", plan);
    }
}
