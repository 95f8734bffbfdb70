using FsCheck.Xunit;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Operators;

public class AggregateTests
{
    [Property(MaxTest = 50)]
    public bool Count_emits_one_count_per_batch_including_zero(int[][] batches) =>
        Oracle.Agrees(batches, s => s.Where(x => x > 0).Count(), b => new[] { b.LongCount(x => x > 0) });

    [Property(MaxTest = 50)]
    public bool Aggregate_folds_each_batch_from_the_seed(int[][] batches) =>
        Oracle.Agrees(batches, s => s.Aggregate("", (acc, x) => acc + x + ";"), b => new[] { b.Aggregate("", (acc, x) => acc + x + ";") });

    [Property(MaxTest = 50)]
    public bool Reduce_combines_in_order_and_emits_nothing_for_an_empty_batch(int[][] batches) =>
        Oracle.Agrees(
            batches,
            s => s.Select(x => x.ToString()).Reduce((a, b) => a + "," + b),
            b => b.Any() ? new[] { string.Join(",", b) } : []);
}
