using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace StreamLinq.QueryEndToEnd;

/// <summary>
/// One query running in a <see cref="StreamingContext"/> on a fake clock, on one partition (one
/// core, as the loop it is compared with) unless told otherwise. <see cref="Run"/> queues <c>batches</c> copies of the
/// input (the same arrays: a queued <c>T[]</c> is handed to its batch without copying) and moves
/// the clock past that many batch ends at once, so the generator seals them back to back and no
/// time is spent waiting for a timer: what is measured is sealing, the plan, the output and the
/// hand-offs between them. The caller is woken once, by the run's last batch, not once per batch:
/// a thread woken per batch (and spinning before it blocked again) took a core from the engine's
/// on this two-core machine, a cost of the harness that the loop it is compared with never pays.
/// The operation time-out is the longest allowed: it runs on the same fake clock, and a jump of
/// thousands of intervals would otherwise time out the batch still committing from the run
/// before, whose retry then waits for a back-off on a clock nothing moves any more.
/// </summary>
internal sealed class EngineRun : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);
    private readonly FakeTimeProvider _clock = new();
    private readonly StreamingContext _context;
    private readonly ConcurrentQueue<IEnumerable<Record>> _left = new();
    private readonly SemaphoreSlim _done = new(0);
    private readonly Failures _failures = new();
    private ConcurrentQueue<IEnumerable<Record>>? _right;
    private long _last;
    private int _pending;

    private EngineRun(QueryCase query, int parallelism)
    {
        _context = new StreamingContext(Interval, new StreamingOptions { TimeProvider = _clock, MaxDegreeOfParallelism = parallelism, OperationTimeout = TimeSpan.FromDays(24) });
        _context.AddListener(_failures);
        query.Wire(
            _context.QueueStream(_left),
            () => _context.QueueStream(_right = new ConcurrentQueue<IEnumerable<Record>>()),
            checksum =>
            {
                Volatile.Write(ref _last, checksum);
                if (Interlocked.Decrement(ref _pending) == 0)
                {
                    _done.Release();
                }
            });
    }

    /// <param name="query">The query to run.</param>
    /// <param name="parallelism">The context's <see cref="StreamingOptions.MaxDegreeOfParallelism"/>: 1 (one core, as the loop) unless a run measures scaling or the radix-partitioned aggregation.</param>
    public static async Task<EngineRun> StartAsync(QueryCase query, int parallelism = 1)
    {
        var run = new EngineRun(query, parallelism);
        await run._context.StartAsync();
        return run;
    }

    /// <summary>Runs <paramref name="batches"/> batches of <paramref name="left"/> (and <paramref name="right"/>) and returns the last batch's checksum.</summary>
    /// <exception cref="InvalidOperationException">A batch failed, or the batches did not finish within a minute.</exception>
    public long Run(Record[] left, Record[] right, int batches)
    {
        Volatile.Write(ref _pending, batches);
        for (var i = 0; i < batches; i++)
        {
            _left.Enqueue(left);
            _right?.Enqueue(right);
        }

        _clock.Advance(Interval * batches);
        if (!_done.Wait(Timeout))
        {
            var stopped = _context.AwaitTerminationAsync();
            var why = _failures.First?.Message ?? (stopped.IsFaulted ? $"the context stopped: {stopped.Exception!.GetBaseException()}" : "no batch failed");
            throw new InvalidOperationException($"{Volatile.Read(ref _pending)} of {batches} batches did not complete within {Timeout}: {why}");
        }

        return Volatile.Read(ref _last);
    }

    public async ValueTask DisposeAsync()
    {
        await _context.DisposeAsync();
        _done.Dispose();
    }

    /// <summary>The first failed batch, so that a failure is reported rather than waited for.</summary>
    private sealed class Failures : IStreamingListener
    {
        public Exception? First { get; private set; }

        public void OnBatchCompleted(BatchInfo batch) => First ??= batch.Failure;
    }
}
