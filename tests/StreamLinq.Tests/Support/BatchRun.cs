using StreamLinq.Testing;

namespace StreamLinq.Tests.Support;

/// <summary>
/// Runs a query over given batches on the test harness's virtual clock (batch i at time i * interval, from 1) and
/// collects what the output received per batch time; batch times the output did not run at are absent.
/// </summary>
public static class BatchRun
{
    public static TimeSpan Interval { get; } = TimeSpan.FromSeconds(1);

    // On the StreamLinq.Testing package, as a user runs a query, so the package is exercised every run.
    public static async Task<IReadOnlyDictionary<long, TResult[]>> RunAsync<TSource, TResult>(
        IReadOnlyList<TSource[]> batches,
        int totalBatches,
        Func<IDStream<TSource>, IDStream<TResult>> query)
    {
        var input = new TestInput<TSource>();
        var output = new TestOutput<TResult>();
        await using var harness = new StreamTestHarness(options =>
        {
            var context = new StreamingContext(Interval, options);
            query(context.AddInput(input)).WriteTo(output);
            return context;
        });
        await harness.StartAsync();
        for (var i = 0; i < batches.Count; i++)
        {
            input.PushAt(harness.NextBatchTime + (Interval * i), batches[i]);
        }

        for (var i = 0; i < totalBatches; i++)
        {
            var info = await harness.RunBatchAsync();
            Assert.Null(info.Failure);
        }

        return output.Batches.ToDictionary(r => r.Key.Ticks / Interval.Ticks, r => r.Value);
    }

    /// <summary>The records of the window ending at batch <paramref name="end"/> (1-based), <paramref name="length"/> batches long.</summary>
    public static IEnumerable<T> WindowRecords<T>(IReadOnlyList<T[]> batches, int end, int length) =>
        Enumerable.Range(end - length + 1, length).Where(b => b >= 1 && b <= batches.Count).SelectMany(b => batches[b - 1]);

    public static T[][] Clean<T>(T[][]? batches) => (batches ?? []).Select(b => b ?? []).Take(12).ToArray();
}
