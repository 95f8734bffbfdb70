using FsCheck.Xunit;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Operators;

public class JoinTests
{
    private static readonly (int Id, string Name)[] Table = Enumerable.Range(-5, 12).Select(i => (i, "n" + i)).ToArray();

    [Property(MaxTest = 40)]
    public bool Join_of_two_streams_equals_LINQ_Join_per_batch((int[], int[])[] batches) =>
        Oracle.Agrees(
            batches,
            (l, r) => l.Join(r, x => x % 4, y => y % 4, (x, y) => x * 100 + y),
            (l, r) => l.Join(r, x => x % 4, y => y % 4, (x, y) => x * 100 + y));

    [Property(MaxTest = 40)]
    public bool Join_with_static_data_equals_LINQ_Join(int[][] batches) =>
        Oracle.Agrees(
            batches,
            s => from x in s join t in Table on x % 7 equals t.Id select t.Name + x,
            b => from x in b join t in Table on x % 7 equals t.Id select t.Name + x);

    [Property(MaxTest = 40)]
    public bool Join_with_a_queryable_table_equals_LINQ_Join(int[][] batches) =>
        Oracle.Agrees(
            batches,
            s => s.Join(Table.AsQueryable(), x => x, t => t.Id, (x, t) => t.Name),
            b => b.Join(Table, x => x, t => t.Id, (x, t) => t.Name));

    [Property(MaxTest = 40)]
    public bool GroupJoin_of_two_streams_equals_LINQ_GroupJoin((int[], int[])[] batches) =>
        Oracle.Agrees(
            batches,
            (l, r) => l.GroupJoin(r, x => x % 3, y => y % 3, (x, ys) => x + ":" + ys.Count()),
            (l, r) => l.GroupJoin(r, x => x % 3, y => y % 3, (x, ys) => x + ":" + ys.Count()));

    [Property(MaxTest = 40)]
    public bool GroupJoin_with_static_data_equals_LINQ_GroupJoin(int[][] batches) =>
        Oracle.Agrees(
            batches,
            s => from x in s join t in Table on x equals t.Id into ts select x + ":" + ts.Count(),
            b => from x in b join t in Table on x equals t.Id into ts select x + ":" + ts.Count());

    [Property(MaxTest = 40)]
    public bool LeftJoin_of_two_streams_equals_LINQ_LeftJoin((int[], string[])[] batches) =>
        Oracle.Agrees(
            batches,
            (l, r) => l.LeftJoin(r, x => x % 3, y => (y ?? "").Length % 3, (x, y) => x + "/" + (y ?? "none")),
            (l, r) => l.LeftJoin(r, x => x % 3, y => (y ?? "").Length % 3, (x, y) => x + "/" + (y ?? "none")));

    [Property(MaxTest = 40)]
    public bool LeftJoin_with_static_data_keeps_unmatched_records_with_default(int[][] batches) =>
        Oracle.Agrees(
            batches,
            s => s.LeftJoin(Table, x => x, t => t.Id, (x, t) => x + "/" + (t.Name ?? "none")),
            b => b.LeftJoin(Table, x => x, t => t.Id, (x, t) => x + "/" + (t.Name ?? "none")));

    [Fact]
    public void Joining_streams_of_different_contexts_is_refused()
    {
        var one = new StreamingContext(TimeSpan.FromSeconds(1)).QueueStream(new System.Collections.Concurrent.ConcurrentQueue<IEnumerable<int>>());
        var two = new StreamingContext(TimeSpan.FromSeconds(1)).QueueStream(new System.Collections.Concurrent.ConcurrentQueue<IEnumerable<int>>());
        var error = Assert.Throws<ArgumentException>(() => one.Join(two, x => x, y => y, (x, y) => x));
        Assert.Contains("same StreamingContext", error.Message, StringComparison.Ordinal);
    }
}
