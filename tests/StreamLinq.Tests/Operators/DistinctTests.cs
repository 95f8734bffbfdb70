using System.Collections.Concurrent;
using FsCheck.Xunit;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Operators;

/// <summary>Distinct, Union and Concat runs compiled to one hash set (or one copy) over the inputs, against LINQ.</summary>
public class DistinctTests
{
    [Property(MaxTest = 60)]
    public bool Distinct_keeps_first_occurrences_in_order_as_LINQ(int[][] batches) =>
        Oracle.Agrees(batches, s => s.Select(x => x % 7).Distinct(), b => b.Select(x => x % 7).Distinct());

    [Property(MaxTest = 40)]
    public bool Distinct_of_a_projection_with_a_filter_hashes_in_the_same_loop_and_equals_LINQ(int[][] batches) =>
        Oracle.Agrees(
            batches,
            s => s.Where(x => x % 3 != 0).Select(x => new { A = x % 5, B = x < 0 }).Distinct(),
            b => b.Where(x => x % 3 != 0).Select(x => new { A = x % 5, B = x < 0 }).Distinct());

    [Property(MaxTest = 40)]
    public bool Distinct_of_projected_strings_with_nulls_equals_LINQ(int[][] batches) =>
        Oracle.Agrees(
            batches,
            s => s.Select(x => x % 4 == 0 ? null : "k" + (x % 6)).Distinct(),
            b => b.Select(x => x % 4 == 0 ? null : "k" + (x % 6)).Distinct());

    [Property(MaxTest = 40)]
    public bool Distinct_of_strings_with_nulls_equals_LINQ(string[][] batches) =>
        Oracle.Agrees(batches, s => s.Distinct(), b => b.Distinct());

    [Property(MaxTest = 40)]
    public bool A_chain_of_Union_Concat_and_Distinct_ending_in_a_set_operator_equals_LINQ((int[], int[])[] batches) =>
        Oracle.Agrees(
            batches,
            (l, r) => l.Concat(r).Union(l.Select(x => x % 4)).Distinct(),
            (l, r) => l.Concat(r).Union(l.Select(x => x % 4)).Distinct());

    [Property(MaxTest = 40)]
    public bool A_Concat_over_a_Union_keeps_the_later_duplicates_as_LINQ((int[], int[])[] batches) =>
        Oracle.Agrees(
            batches,
            (l, r) => l.Union(r).Concat(r),
            (l, r) => l.Union(r).Concat(r));

    [Property(MaxTest = 40)]
    public bool A_chain_of_Concat_equals_LINQ_Concat((int[], int[])[] batches) =>
        Oracle.Agrees(
            batches,
            (l, r) => l.Concat(r).Concat(l.Where(x => x > 0)),
            (l, r) => l.Concat(r).Concat(l.Where(x => x > 0)));

    [Fact]
    public void Explain_shows_Distinct_and_Union_as_a_hash_set_and_Concat_as_one_copy()
    {
        var context = new StreamingContext(TimeSpan.FromSeconds(1));
        var left = context.QueueStream(new ConcurrentQueue<IEnumerable<int>>());
        var right = context.QueueStream(new ConcurrentQueue<IEnumerable<int>>());

        Assert.Contains("⇒ HashDistinct", left.Distinct().Explain(), StringComparison.Ordinal);
        Assert.Contains("FusedStage (in the same compiled loop as the operator above)", left.Select(x => x % 10).Distinct().Explain(), StringComparison.Ordinal);
        Assert.Contains("⇒ HashDistinct", left.Union(right).Explain(), StringComparison.Ordinal);
        Assert.Contains("⇒ Concat", left.Concat(right).Explain(), StringComparison.Ordinal);
        Assert.Contains("⇒ LinqToObjects", left.Union(right).Concat(right).Explain(), StringComparison.Ordinal);
    }
}
