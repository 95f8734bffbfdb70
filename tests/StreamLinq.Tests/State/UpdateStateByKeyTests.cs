using FsCheck;
using FsCheck.Xunit;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.State;

public class UpdateStateByKeyTests
{
    [Property(MaxTest = 25)]
    public void State_after_each_batch_equals_folding_every_batch_so_far_with_null_removing_the_key(int[][] input)
    {
        var batches = BatchRun.Clean(input).Select(b => b.Select(x => new KeyValuePair<int, int>(Math.Abs(x % 4), Math.Abs(x % 3))).ToArray()).ToArray();
        var total = batches.Length + 1;
        var counts = BatchRun.RunAsync(batches, total, s => s.UpdateStateByKey((IReadOnlyList<int> values, long? state) => values.Contains(0) ? null : (state ?? 0) + values.Count))
            .GetAwaiter().GetResult();
        var ages = BatchRun.RunAsync(batches, total, s => s.UpdateStateByKey((IReadOnlyList<int> values, int? state) => (state ?? 0) + 1))
            .GetAwaiter().GetResult();
        for (var t = 1; t <= total; t++)
        {
            var seen = batches.Take(t).SelectMany((b, i) => b.Select(p => (Batch: i + 1, p.Key, p.Value))).ToArray();
            var expected = seen.Select(r => r.Key).Distinct()
                .Select(key =>
                {
                    var lastZero = seen.Where(r => r.Key == key && r.Value == 0).Select(r => r.Batch).DefaultIfEmpty(0).Max();
                    return new KeyValuePair<int, long>(key, seen.LongCount(r => r.Key == key && r.Batch > lastZero));
                })
                .Where(p => p.Value > 0)
                .OrderBy(p => p.Key);
            Assert.Equal(expected, counts[t].OrderBy(p => p.Key));

            // Called every batch for every key with state, values or not.
            var expectedAges = seen.GroupBy(r => r.Key).Select(g => new KeyValuePair<int, int>(g.Key, t - g.Min(r => r.Batch) + 1)).OrderBy(p => p.Key);
            Assert.Equal(expectedAges, ages[t].OrderBy(p => p.Key));
        }
    }

    [Fact]
    public async Task Reference_type_state_is_updated_and_removed_by_returning_null()
    {
        var batches = new[]
        {
            new[] { Pair("a", 1), Pair("b", 2) },
            new[] { Pair("a", 3) },
            new[] { Pair("b", -1) },
        };
        var results = await BatchRun.RunAsync(batches, 3, s => s.UpdateStateByKey((IReadOnlyList<int> values, Tally? state) =>
            values.Any(v => v < 0) ? null : new Tally((state == null ? 0 : state.Sum) + values.Sum())));
        Assert.Equal(new[] { ("a", 1), ("b", 2) }, results[1].Select(p => (p.Key, p.Value.Sum)).Order());
        Assert.Equal(new[] { ("a", 4), ("b", 2) }, results[2].Select(p => (p.Key, p.Value.Sum)).Order());
        Assert.Equal(new[] { ("a", 4) }, results[3].Select(p => (p.Key, p.Value.Sum)));
    }

    private static KeyValuePair<string, int> Pair(string key, int value) => new(key, value);

    public sealed record Tally(int Sum);
}
