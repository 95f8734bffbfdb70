using StreamLinq.Query;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Joins;

/// <summary>
/// Static data given as an in-memory query (<c>list.AsQueryable().Where(...)</c>) is compiled once,
/// not at every batch as enumerating an EnumerableQuery does, and still reads the list's current contents.
/// </summary>
public class StaticQueryTests
{
    private sealed record Row(int Id, string Name, bool Active);

    [Fact]
    public void An_in_memory_query_is_compiled_once_into_LINQ_to_Objects_over_the_current_contents()
    {
        var rows = new List<Row> { new(1, "a", true), new(2, "b", false) };
        var active = rows.AsQueryable().Where(r => r.Active).OrderByDescending(r => r.Id).Select(r => r.Name);
        var prepared = StaticQuery.Prepare(active);
        Assert.IsNotType<EnumerableQuery<string>>(prepared);
        Assert.Equal(active, (IEnumerable<string>)prepared);
        rows.Add(new Row(3, "c", true));
        Assert.Equal(["c", "a"], (IEnumerable<string>)prepared);
        Assert.Same(rows, StaticQuery.Prepare(rows));
        var plain = rows.AsQueryable();
        Assert.Same(plain, StaticQuery.Prepare(plain));
    }

    [Fact]
    public async Task Joins_with_an_in_memory_query_see_the_rows_of_each_batch_time()
    {
        var rows = new List<Row> { new(1, "one", true), new(2, "two", false) };
        var active = rows.AsQueryable().Where(r => r.Active);
        await using var harness = new StreamHarness();
        var numbers = harness.Queue(new[] { new[] { 1, 2, 3 }, new[] { 1, 2, 3 } });
        var joined = StreamHarness.Collect(numbers.Join(active, x => x, r => r.Id, (x, r) => r.Name));
        var grouped = StreamHarness.Collect(numbers.GroupJoin(active, x => x, r => r.Id, (x, matches) => x + ":" + matches.Count()));
        await harness.StartAsync();
        await harness.RunBatchAsync();
        rows.Add(new Row(3, "three", true));
        rows[1] = rows[1] with { Active = true };
        await harness.RunBatchAsync();

        var times = joined.Keys.Order().ToArray();
        Assert.Equal(["one"], joined[times[0]]);
        Assert.Equal(["one", "two", "three"], joined[times[1]]);
        Assert.Equal(["1:1", "2:0", "3:0"], grouped[times[0]]);
        Assert.Equal(["1:1", "2:1", "3:1"], grouped[times[1]]);
    }
}
