using FsCheck.Xunit;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Operators;

public class TransformTests
{
    // The same query text, applied to a static collection and to every batch of a stream.
    private static IQueryable<string> Report(IQueryable<int> numbers) =>
        from n in numbers
        where n % 2 == 0
        group n by n % 3 into g
        orderby g.Key
        select g.Key + "=" + g.Count();

    [Property(MaxTest = 50)]
    public bool Transform_runs_the_same_query_text_as_over_a_static_collection(int[][] batches) =>
        Oracle.Agrees(batches, s => s.Transform(Report), b => Report(b.AsQueryable()));

    [Property(MaxTest = 50)]
    public bool Operators_after_a_transform_see_its_results(int[][] batches) =>
        Oracle.Agrees(batches, s => s.Transform(q => q.Where(x => x > 0)).Select(x => x * 2), b => b.Where(x => x > 0).Select(x => x * 2));
}
