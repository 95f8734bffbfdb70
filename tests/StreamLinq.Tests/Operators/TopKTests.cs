using System.Collections.Concurrent;
using FsCheck.Xunit;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Operators;

/// <summary>OrderBy(...).ThenBy(...).Take(k) as a bounded heap, stable as LINQ's OrderBy.</summary>
public class TopKTests
{
    [Property(MaxTest = 60)]
    public bool Top_k_keeps_arrival_order_among_equal_keys_as_LINQ(int[][] batches, int k) =>
        Oracle.Agrees(
            batches,
            s => s.Select(x => new { Key = x % 3, Value = x }).OrderBy(p => p.Key).Take(k % 12),
            b => b.Select(x => new { Key = x % 3, Value = x }).OrderBy(p => p.Key).Take(k % 12));

    [Property(MaxTest = 60)]
    public bool Top_k_by_a_descending_key_then_ascending_keys_equals_LINQ(int[][] batches, byte k) =>
        Oracle.Agrees(
            batches,
            s => s.Select(x => new { Key = x % 4, Value = x }).OrderByDescending(p => p.Key).ThenBy(p => p.Value % 3).ThenByDescending(p => p.Value / 5).Take(k),
            b => b.Select(x => new { Key = x % 4, Value = x }).OrderByDescending(p => p.Key).ThenBy(p => p.Value % 3).ThenByDescending(p => p.Value / 5).Take(k));

    [Property(MaxTest = 60)]
    public bool Top_k_by_an_integer_key_compared_inline_keeps_ties_in_arrival_order_as_LINQ(long[][] batches, byte k) =>
        Oracle.Agrees(
            batches,
            s => s.Where(x => x % 5 != 0).Select(x => new { Key = x % 4, Value = x }).OrderByDescending(p => p.Key).Take(k % 20),
            b => b.Where(x => x % 5 != 0).Select(x => new { Key = x % 4, Value = x }).OrderByDescending(p => p.Key).Take(k % 20));

    [Property(MaxTest = 40)]
    public bool Top_k_by_an_integer_key_then_a_second_key_equals_LINQ(int[][] batches, byte k) =>
        Oracle.Agrees(
            batches,
            s => s.OrderBy(x => x % 3).ThenByDescending(x => x % 7).Take(k % 15),
            b => b.OrderBy(x => x % 3).ThenByDescending(x => x % 7).Take(k % 15));

    [Property(MaxTest = 40)]
    public bool Top_k_by_a_floating_point_key_with_NaN_equals_LINQ(int[][] batches) =>
        Oracle.Agrees(
            batches,
            s => s.Select(x => x % 4 == 0 ? double.NaN : x / 3.0).OrderBy(x => x).Take(5),
            b => b.Select(x => x % 4 == 0 ? double.NaN : x / 3.0).OrderBy(x => x).Take(5));

    [Property(MaxTest = 40)]
    public bool Top_k_of_strings_with_nulls_equals_LINQ(string[][] batches) =>
        Oracle.Agrees(batches, s => s.OrderByDescending(x => x).Take(4), b => b.OrderByDescending(x => x).Take(4));

    [Fact]
    public void Top_k_of_a_large_batch_with_many_ties_equals_LINQ()
    {
        var random = new Random(5);
        var batch = Enumerable.Range(0, 20_000).Select(_ => random.Next(50)).ToArray();

        Assert.True(Oracle.Agrees(
            [batch, batch.Reverse().ToArray()],
            s => s.Select(x => new { Key = x % 10, Value = x }).OrderBy(p => p.Key).ThenByDescending(p => p.Value % 2).Take(100),
            b => b.Select(x => new { Key = x % 10, Value = x }).OrderBy(p => p.Key).ThenByDescending(p => p.Value % 2).Take(100)));
    }

    [Fact]
    public void Explain_shows_OrderBy_Take_as_a_bounded_heap()
    {
        var stream = new StreamingContext(TimeSpan.FromSeconds(1)).QueueStream(new ConcurrentQueue<IEnumerable<int>>());

        Assert.Contains("⇒ TopK: a bounded heap of 10 records", stream.OrderByDescending(x => x).ThenBy(x => x % 2).Take(10).Explain(), StringComparison.Ordinal);
        Assert.Contains("⇒ LinqToObjects", stream.OrderBy(x => x).Explain(), StringComparison.Ordinal);
    }
}
