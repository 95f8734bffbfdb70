using StreamLinq.Sources;

namespace StreamLinq.Execution;

/// <summary>
/// The processing of one batch: its time, its sealed inputs, and the records each plan node
/// produced for it, so that a node shared by several outputs runs once.
/// </summary>
internal sealed class BatchExecution
{
    // Each node's records: an array, or segments (BatchRecords) when the node made them so.
    private readonly Dictionary<PlanNode, object?> _results = new(ReferenceEqualityComparer.Instance);
    private IReadOnlyDictionary<int, BatchRecords> _inputs;

    public BatchExecution(BatchTime time, IReadOnlyDictionary<int, BatchRecords> inputs, StreamingOptions options, CancellationToken cancellationToken)
    {
        Time = time;
        _inputs = inputs;
        Options = options;
        CancellationToken = cancellationToken;
    }

    /// <summary>A batch whose inputs are each one array (the plan alone, in benchmarks and tests).</summary>
    public BatchExecution(BatchTime time, IReadOnlyDictionary<int, Array> inputs, StreamingOptions options, CancellationToken cancellationToken)
        : this(time, inputs.ToDictionary(i => i.Key, i => BatchRecords.Of(i.Value)), options, cancellationToken)
    {
    }

    public BatchTime Time { get; private set; }

    public StreamingOptions Options { get; }

    public CancellationToken CancellationToken { get; private set; }

    /// <summary>
    /// Makes this the processing of another batch, the previous one's results forgotten: the
    /// scheduler's, once nothing reads the previous batch any more, so that a batch builds no
    /// new memo. Not for a pre-aggregated execution (<see cref="PreAggregated"/> stays).
    /// </summary>
    public BatchExecution Restart(BatchTime time, IReadOnlyDictionary<int, BatchRecords> inputs, CancellationToken cancellationToken)
    {
        Time = time;
        _inputs = inputs;
        CancellationToken = cancellationToken;
        _results.Clear();
        return this;
    }

    /// <summary>
    /// Inputs that arrive already aggregated, by input id: a cluster reducer's merge of the map
    /// tasks' partial tables for a windowed aggregation (<see cref="WindowedAggregate{TIn,TKey,TOut}"/>),
    /// whose records input is then empty. Null in one process.
    /// </summary>
    public IReadOnlyDictionary<int, object>? PreAggregated { get; init; }

    /// <summary>The pre-aggregated form of <paramref name="node"/>'s records, when it is an input that arrived so (<see cref="PreAggregated"/>).</summary>
    public object? PreAggregatedOf(PlanNode node) =>
        PreAggregated is { } preAggregated && node is SourceNode source && preAggregated.TryGetValue(source.InputId, out var partial) ? partial : null;

    /// <summary>An input's records as one array, made on first request when they arrived in several segments or pooled ones.</summary>
    public Array Input(int id) => _inputs[id].ToArray();

    /// <summary>
    /// The records <paramref name="node"/> produces for this batch as segments: an input's
    /// segments as they arrived (no copy), any other node's array as one segment.
    /// </summary>
    /// <returns>The records, or null when the node's stream has no batch at this time.</returns>
    /// <exception cref="BatchFailedException">The node's user code threw; the message names the node.</exception>
    public BatchRecords<T>? Records<T>(PlanNode node) =>
        node is SourceNode source && _inputs[source.InputId] is BatchRecords<T> segments ? segments
        : Result(node) switch
        {
            BatchRecords<T> computed => computed,
            T[] records => new BatchRecords<T>(records),
            _ => null,
        };

    /// <summary>The records <paramref name="node"/> produces for this batch as one array, computed on first request.</summary>
    /// <returns>The records, or null when the node's stream has no batch at this time.</returns>
    /// <exception cref="BatchFailedException">The node's user code threw; the message names the node.</exception>
    public Array? Evaluate(PlanNode node)
    {
        var result = Result(node);
        return result is BatchRecords segments ? segments.ToArray() : (Array?)result;
    }

    /// <summary>
    /// The records an output gets for this batch: the node's array, or a read-only list over its
    /// segments (never a pooled buffer; see <see cref="BatchRecords.AsList"/>), so that a batch made
    /// by eager work reaches the output without a copy.
    /// </summary>
    /// <returns>The records (a <c>T[]</c> or an <see cref="IReadOnlyList{T}"/>), or null when the node's stream has no batch at this time.</returns>
    /// <exception cref="BatchFailedException">The node's user code threw; the message names the node.</exception>
    public System.Collections.IEnumerable? Output(PlanNode node)
    {
        var result = Result(node);
        return result is BatchRecords segments ? segments.AsList() : (Array?)result;
    }

    private object? Result(PlanNode node)
    {
        if (_results.TryGetValue(node, out var cached))
        {
            return cached;
        }

        object? result;
        try
        {
            result = node.ComputeResult(this);
        }
        catch (Exception error) when (error is not BatchFailedException && !(error is OperationCanceledException && CancellationToken.IsCancellationRequested))
        {
            throw new BatchFailedException(Time, node.Description, Unwrap(error));
        }

        _results[node] = result;
        return result;
    }

    /// <summary>
    /// The most chunks a batch is cut into when its partials must not depend on the machine: a
    /// constant, so that the cut depends only on the batch's size and <see cref="StreamingOptions.MinPartitionSize"/>.
    /// </summary>
    public const int MaxFixedChunks = 16;

    /// <summary>
    /// Runs <paramref name="run"/> over contiguous ranges of <paramref name="count"/> records, one
    /// per partition (in parallel when there are several), and returns the partitions' results in
    /// range order, so that combining them in order equals a sequential run.
    /// </summary>
    /// <param name="count">The number of records.</param>
    /// <param name="run">Computes a range's result.</param>
    /// <param name="fixedChunks">
    /// Whether the ranges must not depend on <see cref="StreamingOptions.MaxDegreeOfParallelism"/>
    /// (so on the machine's cores): for results whose bits depend on where the batch is cut, such
    /// as floating-point sums. The batch is then cut into up to <see cref="MaxFixedChunks"/> ranges
    /// of at least <see cref="StreamingOptions.MinPartitionSize"/> records, run on at most
    /// <see cref="StreamingOptions.MaxDegreeOfParallelism"/> threads.
    /// </param>
    public TPart[] RunPartitions<TPart>(int count, Func<int, int, TPart> run, bool fixedChunks = false)
    {
        var ranges = Partitions(count, fixedChunks ? MaxFixedChunks : Options.MaxDegreeOfParallelism);
        var parts = new TPart[ranges.Length];
        if (parts.Length == 1 || Options.MaxDegreeOfParallelism == 1)
        {
            for (var p = 0; p < parts.Length; p++)
            {
                parts[p] = run(ranges[p].Start, ranges[p].End);
            }

            return parts;
        }

        Parallel.For(0, parts.Length, new ParallelOptions { CancellationToken = CancellationToken, MaxDegreeOfParallelism = Options.MaxDegreeOfParallelism }, p =>
            parts[p] = run(ranges[p].Start, ranges[p].End));
        return parts;
    }

    /// <summary>How many partitions <see cref="RunPartitions"/> cuts <paramref name="count"/> records into (without fixed chunks).</summary>
    public int PartitionCount(int count) => Math.Clamp(count / Options.MinPartitionSize, 1, Math.Max(Options.MaxDegreeOfParallelism, 1));

    /// <summary>
    /// Runs <paramref name="run"/> for each of <paramref name="workers"/> indexes (in parallel when
    /// there are several), for work split otherwise than by ranges of records; results in index order.
    /// </summary>
    public TPart[] RunEach<TPart>(int workers, Func<int, TPart> run)
    {
        var parts = new TPart[workers];
        Parallel.For(0, workers, new ParallelOptions { CancellationToken = CancellationToken, MaxDegreeOfParallelism = Math.Max(Options.MaxDegreeOfParallelism, 1) }, p =>
            parts[p] = run(p));
        return parts;
    }

    /// <summary>Splits <paramref name="count"/> records into contiguous ranges, at most <paramref name="maxPartitions"/>.</summary>
    private (int Start, int End)[] Partitions(int count, int maxPartitions)
    {
        var partitions = Math.Clamp(count / Options.MinPartitionSize, 1, Math.Max(maxPartitions, 1));
        var ranges = new (int, int)[partitions];
        for (var p = 0; p < partitions; p++)
        {
            ranges[p] = ((int)((long)count * p / partitions), (int)((long)count * (p + 1) / partitions));
        }

        return ranges;
    }

    private static Exception Unwrap(Exception error) =>
        error is AggregateException { InnerExceptions.Count: 1 } aggregate ? Unwrap(aggregate.InnerExceptions[0]) : error;
}
