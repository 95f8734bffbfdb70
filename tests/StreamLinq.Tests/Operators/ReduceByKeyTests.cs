using FsCheck.Xunit;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Operators;

public class ReduceByKeyTests
{
    [Property(MaxTest = 50)]
    public bool ReduceByKey_combines_each_keys_values_in_record_order_as_LINQ_groups_them(int[][] batches) =>
        Oracle.Agrees(
            batches,
            s => s.Select(x => new KeyValuePair<int, int>(x % 5, x)).ReduceByKey((a, b) => a - b),
            b => b.GroupBy(x => x % 5).Select(g => new KeyValuePair<int, int>(g.Key, g.Aggregate((a, c) => a - c))));

    [Property(MaxTest = 50)]
    public bool ReduceByKey_keeps_a_null_key_as_any_other(int[][] batches) =>
        Oracle.Agrees(
            batches,
            s => s.Select(x => new KeyValuePair<string?, long>(x % 3 == 0 ? null : "k" + x % 2, x)).ReduceByKey((a, b) => a + b),
            b => b.GroupBy(x => x % 3 == 0 ? null : "k" + x % 2).Select(g => new KeyValuePair<string?, long>(g.Key, g.Sum(x => (long)x))));

    [Fact]
    public void Explain_shows_ReduceByKey_with_its_function()
    {
        var context = new StreamingContext(TimeSpan.FromSeconds(1));
        var plan = context.QueueStream(new System.Collections.Concurrent.ConcurrentQueue<IEnumerable<string>>())
            .ReduceByKey(w => w, w => 1, (a, b) => a + b)
            .Explain();
        Assert.Contains("ReduceByKey((a, b) => a + b)", plan, StringComparison.Ordinal);
        Assert.Contains("Select(w => new KeyValuePair<string, int>(w, 1))", plan, StringComparison.Ordinal);
    }
}
