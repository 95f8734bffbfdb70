using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;
using StreamLinq.Execution;
using StreamLinq.Query;

namespace StreamLinq.WindowBenchmarks;

/// <summary>
/// The cost of one batch through a windowed count by key: a window of 60 batches sliding every
/// batch against a tumbling window of one batch (and the plain per-batch aggregation), over
/// batches of the same size. The incremental window adds the entering batch's partial and
/// subtracts the leaving one's, so its cost should not grow with the window's 60 batches.
/// </summary>
[MemoryDiagnoser]
public class WindowBenchmarks
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly StreamingOptions _options = new() { MaxDegreeOfParallelism = 1 };
    private int[] _records = [];
    private PlanNode _sliding = null!;
    private PlanNode _tumbling = null!;
    private PlanNode _perBatch = null!;
    private long _batch;

    [Params(100_000)]
    public int BatchSize { get; set; }

    [Params(1_000)]
    public int Keys { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _records = Enumerable.Range(0, BatchSize).Select(_ => random.Next()).ToArray();
        var context = new StreamingContext(Interval);
        var source = context.QueueStream(new ConcurrentQueue<IEnumerable<int>>());
        var keys = Keys;
        _sliding = new PlanBuilder().Build(source.Window(60 * Interval, Interval).GroupBy(x => x % keys).Select(g => new { g.Key, N = g.Count() }).Expression);
        _tumbling = new PlanBuilder().Build(source.Window(Interval, Interval).GroupBy(x => x % keys).Select(g => new { g.Key, N = g.Count() }).Expression);
        _perBatch = new PlanBuilder().Build(source.GroupBy(x => x % keys).Select(g => new { g.Key, N = g.Count() }).Expression);

        // Fill the sliding window, so that every measured batch also evicts one.
        for (var i = 0; i < 61; i++)
        {
            Step(_sliding);
            Step(_tumbling);
        }
    }

    [Benchmark(Baseline = true, Description = "tumbling count (1 batch)")]
    public int Tumbling() => Step(_tumbling);

    [Benchmark(Description = "sliding count (60 batches, slide 1)")]
    public int Sliding() => Step(_sliding);

    [Benchmark(Description = "per-batch count (no window)")]
    public int PerBatch() => Step(_perBatch);

    private int Step(PlanNode root)
    {
        var time = new BatchTime(++_batch * Interval.Ticks);
        var execution = new BatchExecution(time, new Dictionary<int, Array> { [0] = _records }, _options, CancellationToken.None);
        return execution.Evaluate(root)?.Length ?? 0;
    }
}
