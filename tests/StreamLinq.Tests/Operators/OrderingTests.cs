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
}
