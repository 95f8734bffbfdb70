using System.Collections.Concurrent;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using BenchmarkDotNet.Attributes;
using StreamLinq.Bench;
using StreamLinq.Execution;
using StreamLinq.Query;

namespace StreamLinq.Benchmarks;

/// <summary>
/// A join of two streams' batches, 1,000,000 records with 10,000 (keys uniform over 1,000, so
/// each record matches about ten), summing <c>value * value</c> over the matches, four ways. The
/// loop is a hand-written hash join: a <see cref="Dictionary{TKey, TValue}"/> of lists built from
/// the smaller batch. Rx.NET joins streams over time windows, not batches, so it too looks each
/// event up in such a dictionary built from the smaller batch.
/// </summary>
[MemoryDiagnoser]
public class StreamJoin
{
    private const int SmallSide = 10_000;
    private Record[] _left = [];
    private Record[] _right = [];
    private PlanNode _plan = null!;

    [GlobalSetup]
    public void Setup()
    {
        _left = Workload.Records();
        _right = Workload.Records(SmallSide);
        var context = new StreamingContext(TimeSpan.FromSeconds(1));
        var left = context.QueueStream(new ConcurrentQueue<IEnumerable<Record>>());
        var right = context.QueueStream(new ConcurrentQueue<IEnumerable<Record>>());
        _plan = new PlanBuilder().Build(left.Join(right, l => l.Key, r => r.Key, (l, r) => l.Value * r.Value).Sum().Expression);
        var expected = HandWritten();
        if (StreamLinq() != expected || Linq() != expected || Rx() != expected)
        {
            throw new InvalidOperationException("The four forms disagree.");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Workload.BatchSize)]
    public long HandWritten() => HandJoins.Stream(_left, _right);

    [Benchmark(OperationsPerInvoke = Workload.BatchSize)]
    public long StreamLinq()
    {
        // The context's two inputs have ids 0 and 1; one partition, as the other benchmarks.
        var execution = new BatchExecution(
            new BatchTime(TimeSpan.TicksPerSecond),
            new Dictionary<int, Array> { [0] = _left, [1] = _right },
            new StreamingOptions { MaxDegreeOfParallelism = 1 },
            CancellationToken.None);
        return ((long[])execution.Evaluate(_plan)!)[0];
    }

    [Benchmark(OperationsPerInvoke = Workload.BatchSize)]
    public long Linq() => _left.Join(_right, l => l.Key, r => r.Key, (l, r) => l.Value * r.Value).Sum();

    [Benchmark(OperationsPerInvoke = Workload.BatchSize)]
    public long Rx()
    {
        var byKey = _right.ToLookup(r => r.Key, r => r.Value);
        var subject = new Subject<Record>();
        var sum = 0L;
        using var subscription = subject
            .SelectMany(l => byKey[l.Key].Select(v => l.Value * v))
            .Sum()
            .Subscribe(s => sum = s);
        foreach (var l in _left)
        {
            subject.OnNext(l);
        }

        subject.OnCompleted();
        return sum;
    }
}
