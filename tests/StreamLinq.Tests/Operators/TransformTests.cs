using FsCheck.Xunit;
using StreamLinq.Query;
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

    [Fact]
    public void A_transform_that_builds_the_same_query_every_batch_is_compiled_once()
    {
        var transform = new CapturedTransform<int, string>(Report);
        Assert.True(transform.IsCompiled);
        var batches = Enumerable.Range(0, 20).Select(b => Enumerable.Range(b, b % 7 + 1).ToArray()).ToArray();
        foreach (var batch in batches)
        {
            Assert.Equal(Report(batch.AsQueryable()), transform.Run(batch));
        }

        Assert.Equal(1, transform.Compilations);
    }

    [Fact]
    public void In_memory_data_joined_inside_a_transform_is_compiled_with_it()
    {
        var names = new List<KeyValuePair<int, string>> { new(1, "one"), new(2, "two") };
        IQueryable<string> Query(IQueryable<int> q) =>
            q.Join(names.AsQueryable().Where(n => n.Key > 0), x => x, n => n.Key, (x, n) => n.Value);
        var transform = new CapturedTransform<int, string>(Query);
        Assert.True(transform.IsCompiled);
        Assert.Equal(["one", "two"], transform.Run([1, 2, 3]));
        names.Add(new(3, "three"));
        Assert.Equal(["one", "two", "three"], transform.Run([1, 2, 3]));
        Assert.Equal(Query(new[] { 3, 1 }.AsQueryable()), transform.Run([3, 1]));
        Assert.Equal(1, transform.Compilations);
    }

    [Fact]
    public void Explain_shows_the_captured_query_of_a_compiled_transform()
    {
        var context = new StreamingContext(TimeSpan.FromSeconds(1));
        var plan = context.QueueStream(new System.Collections.Concurrent.ConcurrentQueue<IEnumerable<string>>())
            .Transform(q => q.Where(w => w.Length > 2).OrderBy(w => w))
            .Explain();
        Assert.Contains("Transform(batch => batch.Where(w => w.Length > 2).OrderBy(w => w)) compiled", plan, StringComparison.Ordinal);
    }

    [Fact]
    public void A_transform_whose_query_depends_on_state_that_changes_between_batches_sees_the_change()
    {
        // The function decides on a value it copies when called: each batch must get the query
        // the function builds for that batch, not the one it built at start.
        var threshold = 0;
        var transform = new CapturedTransform<int, int>(q =>
        {
            var copied = threshold;
            return q.Where(x => x > copied);
        });
        int[] batch = [1, 5, 10, 20];
        Assert.Equal([1, 5, 10, 20], transform.Run(batch));
        threshold = 7;
        Assert.Equal([10, 20], transform.Run(batch));
        Assert.Equal([10, 20], transform.Run(batch));
        threshold = 15;
        Assert.Equal([20], transform.Run(batch));
        Assert.Equal(3, transform.Compilations);
    }

    [Fact]
    public void A_transform_whose_copied_value_changes_only_in_what_equality_ignores_still_gets_its_own_query()
    {
        // 1.0m equals 1.00m, 0.0 equals -0.0 and two offsets of one instant are equal, yet each
        // gives other results: the query built for the batch must run, not the one compiled for
        // a value merely equal to it.
        decimal[] rates = [1.0m, 1.00m];
        double[] signs = [0.0, -0.0];
        DateTimeOffset[] times = [new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero), new(2026, 1, 1, 14, 0, 0, TimeSpan.FromHours(2))];
        var call = 0;
        var transform = new CapturedTransform<int, string>(q =>
        {
            var (rate, sign, time) = (rates[call % 2], signs[call % 2], times[call % 2]);
            call++;
            return q.Select(x => (x * rate).ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + (x * sign).ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + time.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        });
        for (var run = 0; run < 4; run++)
        {
            var expected = $"{(2 * rates[call % 2]).ToString(System.Globalization.CultureInfo.InvariantCulture)} {(2 * signs[call % 2]).ToString(System.Globalization.CultureInfo.InvariantCulture)} {times[call % 2].ToString("O", System.Globalization.CultureInfo.InvariantCulture)}";
            Assert.Equal([expected], transform.Run([2]));
        }
    }

    [Fact]
    public void A_transform_that_branches_on_a_field_gets_the_branch_of_each_batch()
    {
        var descending = false;
        var transform = new CapturedTransform<int, int>(q => descending ? q.OrderByDescending(x => x) : q.OrderBy(x => x));
        int[] batch = [3, 1, 2];
        Assert.Equal([1, 2, 3], transform.Run(batch));
        descending = true;
        Assert.Equal([3, 2, 1], transform.Run(batch));
    }

    [Fact]
    public void A_transform_that_enumerates_its_batch_runs_per_batch_and_gives_the_same_results()
    {
        // ToList enumerates the batch: no query can be built over a placeholder, so the function
        // runs over each batch's records, as before.
        var transform = new CapturedTransform<int, int>(q => q.ToList().Where(x => x % 2 == 0).AsQueryable());
        Assert.False(transform.IsCompiled);
        Assert.Equal([2, 4], transform.Run([1, 2, 3, 4]));
        Assert.Equal([6], transform.Run([5, 6]));
        Assert.Equal(0, transform.Compilations);
    }

    [Fact]
    public void A_transform_that_captures_its_batch_in_a_lambda_runs_per_batch_and_gives_the_same_results()
    {
        var transform = new CapturedTransform<int, int>(q => q.Where(x => x >= q.Max()));
        Assert.False(transform.IsCompiled);
        Assert.Equal([4], transform.Run([1, 4, 3]));
        Assert.Equal([9, 9], transform.Run([9, 2, 9]));
    }

    [Fact]
    public void A_transform_that_returns_a_query_not_over_its_batch_runs_per_batch()
    {
        int[] fixedData = [7, 8];
        var transform = new CapturedTransform<int, int>(q => fixedData.AsQueryable());
        Assert.False(transform.IsCompiled);
        Assert.Equal([7, 8], transform.Run([1]));
    }

    [Fact]
    public void Explain_says_why_a_transform_runs_per_batch()
    {
        var context = new StreamingContext(TimeSpan.FromSeconds(1));
        var plan = context.QueueStream(new System.Collections.Concurrent.ConcurrentQueue<IEnumerable<int>>())
            .Transform(q => q.ToArray().AsQueryable())
            .Explain();
        Assert.Contains("Transform(function) called per batch: it did not build a query", plan, StringComparison.Ordinal);
    }

    [Property(MaxTest = 30)]
    public bool A_transform_that_reads_a_counter_equals_calling_it_on_every_batch(int[][] batches)
    {
        // The function builds a different query on most calls (Take(n) for a changing n): each
        // batch must get what calling the function on that batch gives. Each batch calls it once,
        // so the last calls belong to the batches, in order.
        var counts = new List<int>();
        var streamed = Oracle.Run(batches, s => s.Transform(q =>
        {
            counts.Add(counts.Count % 4);
            return q.Take(counts[^1]);
        }));
        var perBatch = counts.Skip(counts.Count - batches.Length).ToArray();
        return streamed.Select((output, i) => output.SequenceEqual(batches[i].Take(perBatch[i]))).All(ok => ok);
    }
}
