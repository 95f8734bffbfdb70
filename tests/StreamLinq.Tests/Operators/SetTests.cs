using FsCheck.Xunit;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Operators;

public class SetTests
{
    [Property(MaxTest = 40)]
    public bool Union_equals_LINQ_set_Union_per_batch((int[], int[])[] batches) =>
        Oracle.Agrees(batches, (l, r) => l.Union(r), (l, r) => l.Union(r));

    [Property(MaxTest = 40)]
    public bool Concat_keeps_duplicates_like_Spark_union((int[], int[])[] batches) =>
        Oracle.Agrees(batches, (l, r) => l.Concat(r), (l, r) => l.Concat(r));

    [Property(MaxTest = 40)]
    public bool A_stream_combined_with_a_query_over_itself_equals_LINQ(int[][] batches) =>
        Oracle.Agrees(batches, s => s.Concat(s.Where(x => x > 0).Select(x => -x)), b => b.Concat(b.Where(x => x > 0).Select(x => -x)));
}
