namespace StreamLinq.Tests.Support;

/// <summary>
/// Runs a stream query over random batches and compares every batch's output with LINQ to
/// Objects over the same batch's records: the oracle for per-batch operators.
/// </summary>
public static class Oracle
{
    /// <summary>True when every batch's output equals <paramref name="oracle"/> over that batch (in order).</summary>
    public static bool Agrees<TIn, TOut>(TIn[][] batches, Func<IDStream<TIn>, IDStream<TOut>> query, Func<IEnumerable<TIn>, IEnumerable<TOut>> oracle) =>
        Run(batches, query).Zip(batches).All(p => p.First.SequenceEqual(oracle(p.Second)));

    /// <summary>True when every batch's output equals <paramref name="oracle"/> over the two streams' batches of the same time.</summary>
    public static bool Agrees<TLeft, TRight, TOut>(
        (TLeft[] Left, TRight[] Right)[] batches,
        Func<IDStream<TLeft>, IDStream<TRight>, IDStream<TOut>> query,
        Func<IEnumerable<TLeft>, IEnumerable<TRight>, IEnumerable<TOut>> oracle) =>
        RunAsync(batches, query).GetAwaiter().GetResult().Zip(batches).All(p => p.First.SequenceEqual(oracle(p.Second.Left, p.Second.Right)));

    /// <summary>The output of each batch, in batch order.</summary>
    public static TOut[][] Run<TIn, TOut>(TIn[][] batches, Func<IDStream<TIn>, IDStream<TOut>> query) =>
        RunAsync(batches, query).GetAwaiter().GetResult();

    private static async Task<TOut[][]> RunAsync<TIn, TOut>(TIn[][] batches, Func<IDStream<TIn>, IDStream<TOut>> query)
    {
        await using var harness = new StreamHarness(options: SmallPartitions);
        var results = StreamHarness.Collect(query(harness.Queue(batches)));
        return await RunAllAsync(harness, batches.Length, results);
    }

    private static async Task<TOut[][]> RunAsync<TLeft, TRight, TOut>(
        (TLeft[] Left, TRight[] Right)[] batches,
        Func<IDStream<TLeft>, IDStream<TRight>, IDStream<TOut>> query)
    {
        await using var harness = new StreamHarness(options: SmallPartitions);
        var left = harness.Queue(batches.Select(b => b.Left));
        var right = harness.Queue(batches.Select(b => b.Right));
        var results = StreamHarness.Collect(query(left, right));
        return await RunAllAsync(harness, batches.Length, results);
    }

    private static async Task<TOut[][]> RunAllAsync<TOut>(StreamHarness harness, int count, System.Collections.Concurrent.ConcurrentDictionary<BatchTime, TOut[]> results)
    {
        await harness.StartAsync();
        var outputs = new TOut[count][];
        for (var i = 0; i < count; i++)
        {
            var info = await harness.RunBatchAsync();
            if (info.Failure is not null)
            {
                throw info.Failure;
            }

            outputs[i] = results[info.Time];
        }

        return outputs;
    }

    /// <summary>
    /// Partitions of a few records, so that the property tests exercise the multi-partition
    /// paths (partial aggregates, merging, concatenation) on small random inputs.
    /// </summary>
    public static StreamingOptions SmallPartitions { get; } = new() { MinPartitionSize = 3, MaxDegreeOfParallelism = 4 };
}
