using System.Collections.Concurrent;
using FsCheck.Xunit;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Operators;

public class OrderingTests
{
    [Property(MaxTest = 50)]
    public bool OrderBy_ThenByDescending_Take_equals_LINQ(int[][] batches) =>
        Oracle.Agrees(
            batches,
            s => s.OrderBy(x => x % 3).ThenByDescending(x => x).Take(5),
            b => b.OrderBy(x => x % 3).ThenByDescending(x => x).Take(5));

    [Property(MaxTest = 50)]
    public bool OrderByDescending_ThenBy_equals_LINQ_and_is_stable(int[][] batches) =>
        Oracle.Agrees(
            batches,
            s => s.Select(x => new { Key = x % 2, Value = x }).OrderByDescending(p => p.Key).ThenBy(p => p.Value % 3),
            b => b.Select(x => new { Key = x % 2, Value = x }).OrderByDescending(p => p.Key).ThenBy(p => p.Value % 3));

    [Property(MaxTest = 50)]
    public bool Top_words_per_batch_equal_LINQ(int[][] batches) =>
        Oracle.Agrees(
            batches,
            s => s.GroupBy(x => x % 10).Select(g => new { g.Key, N = g.Count() }).OrderByDescending(p => p.N).ThenBy(p => p.Key).Take(3),
            b => b.GroupBy(x => x % 10).Select(g => new { g.Key, N = g.Count() }).OrderByDescending(p => p.N).ThenBy(p => p.Key).Take(3));

    [Fact]
    public void Only_the_results_of_OrderBy_and_ThenBy_are_ordered_streams()
    {
        var lines = new StreamingContext(TimeSpan.FromSeconds(1)).QueueStream(new ConcurrentQueue<IEnumerable<int>>());

        Assert.False(lines is IOrderedDStream<int>);
        Assert.False(lines.Select(x => x + 1) is IOrderedDStream<int>);
        Assert.False(lines.OrderBy(x => x).Take(3) is IOrderedDStream<int>);
        Assert.True(lines.OrderBy(x => x) is IOrderedDStream<int>);
        Assert.True(lines.OrderByDescending(x => x).ThenBy(x => x % 2).ThenByDescending(x => x % 3) is IOrderedDStream<int>);
    }
}
