using FsCheck;
using FsCheck.Xunit;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Operators;

/// <summary>
/// The keyed operators' overloads that read the key and the value from records of any type
/// (records, anonymous types) give what their KeyValuePair forms give over the pairs.
/// </summary>
public class KeySelectorOverloadTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    public sealed record Sale(string? Shop, int Amount);

    private static Sale ToSale(int x) => new(x % 5 == 0 ? null : "shop" + Math.Abs(x % 3), x % 100);

    private static Sale[][] Sales(int[][] input) => BatchRun.Clean(input).Select(b => b.Select(ToSale).ToArray()).ToArray();

    private static KeyValuePair<string?, int> ToPair(Sale s) => new(s.Shop, s.Amount);

    private static IOrderedEnumerable<KeyValuePair<TKey, TValue>> Sorted<TKey, TValue>(IEnumerable<KeyValuePair<TKey, TValue>> pairs) =>
        pairs.OrderBy(p => p.Key?.ToString(), StringComparer.Ordinal);

    [Property(MaxTest = 50)]
    public bool ReduceByKey_over_records_equals_LINQ_grouping_by_the_key(int[][] batches) =>
        Oracle.Agrees(
            batches,
            s => s.Select(x => new Sale(x % 5 == 0 ? null : "shop" + Math.Abs(x % 3), x % 100)).ReduceByKey(r => r.Shop, r => r.Amount, (a, b) => a - b),
            b => b.Select(ToSale).GroupBy(r => r.Shop).Select(g => new KeyValuePair<string?, int>(g.Key, g.Select(r => r.Amount).Aggregate((a, c) => a - c))));

    [Property(MaxTest = 50)]
    public bool ReduceByKey_over_anonymous_types_equals_LINQ_grouping_by_the_key(int[][] batches) =>
        Oracle.Agrees(
            batches,
            s => s.Select(x => new { Word = "w" + Math.Abs(x % 4), Weight = (long)x }).ReduceByKey(r => r.Word, r => r.Weight, (a, b) => a + b),
            b => b.GroupBy(x => "w" + Math.Abs(x % 4)).Select(g => new KeyValuePair<string, long>(g.Key, g.Sum(x => (long)x))));

    [Property(MaxTest = 20)]
    public void ReduceByKeyAndWindow_over_records_equals_the_pair_form_with_and_without_inverse(int[][] input, PositiveInt lengthMultiple, PositiveInt slideMultiple)
    {
        var batches = Sales(input);
        var pairs = batches.Select(b => b.Select(ToPair).ToArray()).ToArray();
        var (length, slide) = ((1 + lengthMultiple.Get % 4) * Second, (1 + slideMultiple.Get % 3) * Second);
        var total = batches.Length + 4;
        var plain = Run(batches, total, s => s.ReduceByKeyAndWindow(r => r.Shop, r => r.Amount, (a, b) => a + b, length, slide));
        var plainPairs = Run(pairs, total, s => s.ReduceByKeyAndWindow((a, b) => a + b, length, slide));
        var inverse = Run(batches, total, s => s.ReduceByKeyAndWindow(r => r.Shop, r => r.Amount, (a, b) => a + b, (a, b) => a - b, length, slide, p => p.Value > 10));
        var inversePairs = Run(pairs, total, s => s.ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, length, slide, p => p.Value > 10));
        Assert.Equal(plainPairs.Keys.Order(), plain.Keys.Order());
        Assert.Equal(inversePairs.Keys.Order(), inverse.Keys.Order());
        foreach (var t in plainPairs.Keys)
        {
            Assert.Equal(Sorted(plainPairs[t]), Sorted(plain[t]));
            Assert.Equal(Sorted(inversePairs[t]), Sorted(inverse[t]));
        }
    }

    [Property(MaxTest = 20)]
    public void UpdateStateByKey_over_records_equals_the_pair_form_for_reference_and_value_states(int[][] input)
    {
        var batches = Sales(input);
        var pairs = batches.Select(b => b.Select(ToPair).ToArray()).ToArray();
        var total = batches.Length + 1;
        var counts = Run(batches, total, s => s.UpdateStateByKey(r => r.Shop, r => r.Amount, (IReadOnlyList<int> values, long? state) => (state ?? 0) + values.Sum()));
        var countPairs = Run(pairs, total, s => s.UpdateStateByKey((IReadOnlyList<int> values, long? state) => (state ?? 0) + values.Sum()));
        var lists = Run(batches, total, s => s.UpdateStateByKey(r => r.Shop, r => r.Amount, (IReadOnlyList<int> values, string? state) => state + string.Join(",", values) + ";"));
        var listPairs = Run(pairs, total, s => s.UpdateStateByKey((IReadOnlyList<int> values, string? state) => state + string.Join(",", values) + ";"));
        for (var t = 1; t <= total; t++)
        {
            Assert.Equal(Sorted(countPairs[t]), Sorted(counts[t]));
            Assert.Equal(Sorted(listPairs[t]), Sorted(lists[t]));
        }
    }

    [Property(MaxTest = 20)]
    public void MapWithState_over_anonymous_types_equals_the_pair_form(int[][] input)
    {
        var batches = BatchRun.Clean(input);
        var spec = StateSpec.Function((string key, int value, KeyedState<long> state) =>
        {
            var sum = state.GetOrDefault(0) + value;
            state.Update(sum);
            return key + "=" + sum;
        });
        var total = batches.Length + 1;
        var mapped = Run(batches, total, s => s.Select(x => new { Key = "k" + Math.Abs(x % 3), Value = x }).MapWithState(r => r.Key, r => r.Value, spec));
        var mappedPairs = Run(batches, total, s => s.Select(x => new KeyValuePair<string, int>("k" + Math.Abs(x % 3), x)).MapWithState(spec));
        for (var t = 1; t <= total; t++)
        {
            Assert.Equal(mappedPairs[t], mapped[t]);
        }
    }

    [Fact]
    public void The_pair_is_one_projection_fused_with_the_records_own()
    {
        var context = new StreamingContext(TimeSpan.FromSeconds(1));
        var plan = context.QueueStream(new System.Collections.Concurrent.ConcurrentQueue<IEnumerable<int>>())
            .Select(x => new Sale("s" + x, x))
            .UpdateStateByKey(sale => sale.Shop, sale => sale.Amount, (IReadOnlyList<int> values, int? state) => (state ?? 0) + values.Count)
            .Explain();
        Assert.Contains("UpdateStateByKey: update: (values, state) => (state ?? 0) + values.Count;", plan, StringComparison.Ordinal);
        Assert.Contains("Select(x => new KeySelectorOverloadTests.Sale(\"s\" + x, x)) -> Select(sale => new KeyValuePair<string, int>(sale.Shop, sale.Amount))", plan, StringComparison.Ordinal);
    }

    private static IReadOnlyDictionary<long, TOut[]> Run<TIn, TOut>(IReadOnlyList<TIn[]> batches, int total, Func<IDStream<TIn>, IDStream<TOut>> query) =>
        BatchRun.RunAsync(batches, total, query).GetAwaiter().GetResult();
}
