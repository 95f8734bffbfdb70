using System.Reactive.Linq;
using System.Reactive.Subjects;
using BenchmarkDotNet.Attributes;
using StreamLinq.Bench;

namespace StreamLinq.Benchmarks;

/// <summary>
/// A join of the stream with a static table of 1,000 rows, summing <c>value * weight</c> over the
/// matches, four ways. Rx.NET has no join with static data (its Join is a join of two event
/// streams over time windows), so it looks each event up in a dictionary built once.
/// </summary>
[MemoryDiagnoser]
public class StaticJoin
{
    private Record[] _records = [];
    private Dimension[] _table = [];
    private Dictionary<int, long> _weights = [];
    private CompiledPlan<Record, long> _plan = null!;

    [GlobalSetup]
    public void Setup()
    {
        _records = Workload.Records();
        _table = Workload.Table();
        _weights = _table.ToDictionary(d => d.Id, d => d.Weight);
        var table = _table;
        _plan = new CompiledPlan<Record, long>(s => s.Join(table, r => r.Key, d => d.Id, (r, d) => r.Value * d.Weight).Sum());
        var expected = HandWritten();
        if (StreamLinq() != expected || Linq() != expected || Rx() != expected)
        {
            throw new InvalidOperationException("The four forms disagree.");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Workload.BatchSize)]
    public long HandWritten() => HandJoins.Static<Record, Dimension, RecordKey<Record>>(_records, _table);

    [Benchmark(OperationsPerInvoke = Workload.BatchSize)]
    public long StreamLinq() => _plan.Run(_records)[0];

    [Benchmark(OperationsPerInvoke = Workload.BatchSize)]
    public long Linq() => _records.Join(_table, r => r.Key, d => d.Id, (r, d) => r.Value * d.Weight).Sum();

    [Benchmark(OperationsPerInvoke = Workload.BatchSize)]
    public long Rx()
    {
        var subject = new Subject<Record>();
        var weights = _weights;
        var sum = 0L;
        using var subscription = subject
            .Where(r => weights.ContainsKey(r.Key))
            .Select(r => r.Value * weights[r.Key])
            .Sum()
            .Subscribe(s => sum = s);
        foreach (var r in _records)
        {
            subject.OnNext(r);
        }

        subject.OnCompleted();
        return sum;
    }
}
