using System.Collections.Concurrent;
using FsCheck.Xunit;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Operators;

/// <summary>The join of two streams as a hash join (build the smaller side, probe with the other), against LINQ's Join.</summary>
public class StreamJoinTests
{
    [Property(MaxTest = 60)]
    public bool Hash_join_of_two_streams_equals_LINQ_Join_in_order_whichever_side_is_smaller((int[], int[])[] batches) =>
        Oracle.Agrees(
            batches,
            (l, r) => l.Join(r, x => x % 3, y => y % 3, (x, y) => new { x, y }),
            (l, r) => l.Join(r, x => x % 3, y => y % 3, (x, y) => new { x, y }));

    [Property(MaxTest = 40)]
    public bool Hash_join_never_matches_null_keys_as_LINQ((string[], string[])[] batches) =>
        Oracle.Agrees(
            batches,
            (l, r) => l.Join(r, x => x, y => y, (x, y) => x + "|" + y),
            (l, r) => l.Join(r, x => x, y => y, (x, y) => x + "|" + y));

    [Property(MaxTest = 20)]
    public bool Hash_join_of_a_stream_with_itself_equals_LINQ_self_join(int[][] batches) =>
        Oracle.Agrees(
            batches,
            s => s.Join(s.Select(x => x * 2), x => x % 5, y => y % 5, (x, y) => x - y),
            b => b.Join(b.Select(x => x * 2), x => x % 5, y => y % 5, (x, y) => x - y));

    [Fact]
    public void Hash_join_with_a_much_smaller_outer_or_inner_side_equals_LINQ_Join()
    {
        var random = new Random(12);
        var small = Enumerable.Range(0, 7).Select(_ => random.Next(20)).ToArray();
        var large = Enumerable.Range(0, 3000).Select(_ => random.Next(40)).ToArray();
        var batches = new[] { (small, large), (large, small), (large, large), (small, Array.Empty<int>()) };

        Assert.True(Oracle.Agrees(
            batches,
            (l, r) => l.Join(r, x => x, y => y / 2, (x, y) => x * 1000 + y),
            (l, r) => l.Join(r, x => x, y => y / 2, (x, y) => x * 1000 + y)));
    }

    [Property(MaxTest = 60)]
    public bool A_sum_over_a_join_of_two_streams_probes_in_its_loop_and_equals_LINQ_whichever_side_is_smaller((int[], int[])[] batches) =>
        Oracle.Agrees(
            batches,
            (l, r) => l.Join(r, x => x % 4, y => y % 4, (x, y) => (long)x * y).Where(v => v % 3 != 0).Sum(),
            (l, r) => [l.Join(r, x => x % 4, y => y % 4, (x, y) => (long)x * y).Where(v => v % 3 != 0).Sum()]);

    [Property(MaxTest = 40)]
    public bool The_average_and_the_maximum_over_a_fused_join_equal_LINQ_and_none_without_a_match((int[], int[])[] batches) =>
        Oracle.Agrees(
            batches,
            (l, r) => l.Join(r, x => x % 3, y => y % 6, (x, y) => x - y).Average(),
            (l, r) => l.Join(r, x => x % 3, y => y % 6, (x, y) => x - y).Any() ? [l.Join(r, x => x % 3, y => y % 6, (x, y) => x - y).Average()] : [])
        && Oracle.Agrees(
            batches,
            (l, r) => l.Join(r, x => x % 3, y => y % 6, (x, y) => x - y).Max(),
            (l, r) => l.Join(r, x => x % 3, y => y % 6, (x, y) => x - y).Any() ? [l.Join(r, x => x % 3, y => y % 6, (x, y) => x - y).Max()] : []);

    [Property(MaxTest = 40)]
    public bool A_grouped_aggregate_over_a_join_of_two_streams_equals_LINQ_groups_in_order((int[], int[])[] batches) =>
        Oracle.Agrees(
            batches,
            (l, r) => l.Join(r, x => x % 5, y => y % 5, (x, y) => new { x, y }).GroupBy(p => p.y % 4).Select(g => new { g.Key, Count = g.Count(), Max = g.Max(p => p.x) }),
            (l, r) => l.Join(r, x => x % 5, y => y % 5, (x, y) => new { x, y }).GroupBy(p => p.y % 4).Select(g => new { g.Key, Count = g.Count(), Max = g.Max(p => p.x) }));

    [Property(MaxTest = 40)]
    public bool A_count_over_a_join_never_matches_null_keys_as_LINQ((string[], string[])[] batches) =>
        Oracle.Agrees(
            batches,
            (l, r) => l.Join(r, x => x, y => y, (x, y) => x + y).Count(),
            (l, r) => [l.Join(r, x => x, y => y, (x, y) => x + y).Count()]);

    [Fact]
    public void A_sum_over_a_join_with_a_much_smaller_outer_or_inner_side_or_an_empty_side_equals_LINQ()
    {
        var random = new Random(13);
        var small = Enumerable.Range(0, 9).Select(_ => random.Next(30)).ToArray();
        var large = Enumerable.Range(0, 5000).Select(_ => random.Next(60)).ToArray();
        var batches = new[] { (small, large), (large, small), (large, large), (Array.Empty<int>(), large), (large, Array.Empty<int>()) };

        Assert.True(Oracle.Agrees(
            batches,
            (l, r) => l.Join(r, x => x, y => y / 2, (x, y) => (long)x * 1000 + y).Sum(),
            (l, r) => [l.Join(r, x => x, y => y / 2, (x, y) => (long)x * 1000 + y).Sum()]));
    }

    [Fact]
    public void Explain_shows_the_probe_of_a_join_under_an_aggregate_in_the_aggregates_loop()
    {
        var context = new StreamingContext(TimeSpan.FromSeconds(1));
        var left = context.QueueStream(new ConcurrentQueue<IEnumerable<int>>());
        var right = context.QueueStream(new ConcurrentQueue<IEnumerable<int>>());

        var plan = left.Join(right, x => x, y => y, (x, y) => x + y).Sum().Explain();

        Assert.Contains("its probe in the same compiled loop as the aggregate above", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("LinqToObjects", plan, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_shows_the_join_of_two_streams_as_a_hash_join()
    {
        var context = new StreamingContext(TimeSpan.FromSeconds(1));
        var left = context.QueueStream(new ConcurrentQueue<IEnumerable<int>>());
        var right = context.QueueStream(new ConcurrentQueue<IEnumerable<int>>());

        var plan = left.Join(right, x => x, y => y, (x, y) => x + y).Explain();

        Assert.Contains("⇒ HashJoin", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("LinqToObjects", plan, StringComparison.Ordinal);
    }
}
