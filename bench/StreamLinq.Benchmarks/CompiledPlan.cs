using System.Collections.Concurrent;
using StreamLinq.Execution;
using StreamLinq.Query;

namespace StreamLinq.Benchmarks;

/// <summary>
/// A StreamLinq query compiled once into its physical plan, run on a batch directly: what the
/// scheduler does for every batch, minus the scheduling, so the plan compiler is measured alone.
/// </summary>
internal sealed class CompiledPlan<TIn, TOut>
{
    private readonly PlanNode _root;
    private readonly StreamingOptions _options;

    /// <param name="query">The query over a stream of <typeparamref name="TIn"/>.</param>
    /// <param name="parallelism">Partitions per batch; 1 compares one core with one core.</param>
    public CompiledPlan(Func<IDStream<TIn>, IDStream<TOut>> query, int parallelism = 1)
    {
        var context = new StreamingContext(TimeSpan.FromSeconds(1));
        var stream = query(context.QueueStream(new ConcurrentQueue<IEnumerable<TIn>>()));
        _root = new PlanBuilder().Build(stream.Expression);
        _options = new StreamingOptions { MaxDegreeOfParallelism = parallelism };
        Explain = stream.Explain();
    }

    public string Explain { get; }

    public TOut[] Run(TIn[] batch)
    {
        // The only input of the context has id 0.
        var execution = new BatchExecution(new BatchTime(TimeSpan.TicksPerSecond), new Dictionary<int, Array> { [0] = batch }, _options, CancellationToken.None);
        return (TOut[]?)execution.Evaluate(_root) ?? throw new InvalidOperationException("The plan yielded no batch.");
    }
}
