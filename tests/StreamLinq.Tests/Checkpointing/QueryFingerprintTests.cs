using System.Collections.Concurrent;
using StreamLinq.Checkpointing;

namespace StreamLinq.Tests.Checkpointing;

public class QueryFingerprintTests
{
    [Fact]
    public void Renamed_lambda_parameters_do_not_change_the_fingerprint()
    {
        var a = Fingerprint(s => s.Where(x => x > 3).Select(x => x * 2));
        var b = Fingerprint(s => s.Where(value => value > 3).Select(v => v * 2));
        Assert.Equal(a.Hash, b.Hash);
    }

    [Fact]
    public void A_changed_constant_operator_or_captured_number_changes_the_fingerprint()
    {
        var threshold = 3;
        var baseline = Fingerprint(s => s.Where(x => x > threshold));
        threshold = 4;
        Assert.NotEqual(baseline.Hash, Fingerprint(s => s.Where(x => x > threshold)).Hash);
        Assert.NotEqual(baseline.Hash, Fingerprint(s => s.Where(x => x >= 3)).Hash);
        Assert.NotEqual(baseline.Hash, Fingerprint(s => s.Where(x => x > 3).Select(x => x + 1)).Hash);
        threshold = 3;
        Assert.Equal(baseline.Hash, Fingerprint(s => s.Where(x => x > threshold)).Hash);
    }

    [Fact]
    public void The_contents_of_a_captured_object_do_not_change_the_fingerprint()
    {
        var allowed = new HashSet<int> { 1, 2 };
        var before = Fingerprint(s => s.Where(x => allowed.Contains(x)));
        allowed = [7];
        Assert.Equal(before.Hash, Fingerprint(s => s.Where(x => allowed.Contains(x))).Hash);
    }

    [Fact]
    public void Anonymous_types_count_by_their_properties()
    {
        var a = Fingerprint(s => s.GroupBy(x => x % 2).Select(g => new { g.Key, N = g.Count() }).Select(r => r.N));
        var b = Fingerprint(s => s.GroupBy(x => x % 2).Select(g => new { g.Key, M = g.Count() }).Select(r => r.M));
        Assert.NotEqual(a.Hash, b.Hash);
        Assert.Contains("Key", a.Outputs[0].Plan, StringComparison.Ordinal);
    }

    [Fact]
    public void The_difference_names_the_output_and_both_plans()
    {
        var was = Fingerprint(s => s.Where(x => x > 3));
        var now = Fingerprint(s => s.Where(x => x > 3).Select(x => x * 2));
        var message = QueryFingerprint.Describe(was, now);
        Assert.NotNull(message);
        Assert.Contains("ForEachBatch #1", message, StringComparison.Ordinal);
        Assert.Contains("operator #2 Select", message, StringComparison.Ordinal);
        Assert.Contains("p0 > <Int32>", message, StringComparison.Ordinal);
        Assert.Contains("p1 * <Int32>", message, StringComparison.Ordinal);
        Assert.Null(QueryFingerprint.Describe(was, Fingerprint(s => s.Where(y => y > 3))));
    }

    private static QueryFingerprint Fingerprint<TOut>(Func<IDStream<int>, IDStream<TOut>> query)
    {
        var context = new StreamingContext(TimeSpan.FromSeconds(1));
        query(context.QueueStream(new ConcurrentQueue<IEnumerable<int>>())).ForEachBatch((_, _) => { });
        var outputs = typeof(StreamingContext).GetField("_outputs", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(context);
        return QueryFingerprint.Compute((IReadOnlyList<StreamLinq.Sinks.OutputOperation>)outputs!);
    }
}
