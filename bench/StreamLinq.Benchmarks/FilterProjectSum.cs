using System.Reactive.Linq;
using System.Reactive.Subjects;
using BenchmarkDotNet.Attributes;

namespace StreamLinq.Benchmarks;

/// <summary>
/// Stateless fused query: <c>Where(r =&gt; r.Key % 10 != 0).Select(r =&gt; r.Value * 2).Sum()</c>
/// over one batch, four ways. Target: StreamLinq at least 0.8x the loop, at least 2x Rx.NET.
/// </summary>
[MemoryDiagnoser]
public class FilterProjectSum
{
    private Record[] _records = [];
    private CompiledPlan<Record, long> _plan = null!;

    [GlobalSetup]
    public void Setup()
    {
        _records = Workload.Records();
        _plan = new CompiledPlan<Record, long>(s => s.Where(r => r.Key % 10 != 0).Select(r => r.Value * 2).Sum());
        var expected = HandWritten();
        if (StreamLinq() != expected || Linq() != expected || Rx() != expected)
        {
            throw new InvalidOperationException("The four forms disagree.");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Workload.BatchSize)]
    public long HandWritten()
    {
        var sum = 0L;
        foreach (var r in _records)
        {
            if (r.Key % 10 != 0)
            {
                sum += r.Value * 2;
            }
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Workload.BatchSize)]
    public long StreamLinq() => _plan.Run(_records)[0];

    [Benchmark(OperationsPerInvoke = Workload.BatchSize)]
    public long Linq() => _records.Where(r => r.Key % 10 != 0).Select(r => r.Value * 2).Sum();

    [Benchmark(OperationsPerInvoke = Workload.BatchSize)]
    public long Rx()
    {
        var subject = new Subject<Record>();
        var sum = 0L;
        using var subscription = subject.Where(r => r.Key % 10 != 0).Select(r => r.Value * 2).Sum().Subscribe(s => sum = s);
        foreach (var r in _records)
        {
            subject.OnNext(r);
        }

        subject.OnCompleted();
        return sum;
    }
}
