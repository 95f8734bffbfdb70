using System.Reactive.Linq;
using System.Reactive.Subjects;
using BenchmarkDotNet.Attributes;

namespace StreamLinq.Benchmarks;

/// <summary>The distinct keys of a batch (<c>Select(r =&gt; r.Key).Distinct()</c>), four ways; the loop is a <see cref="HashSet{T}"/>.</summary>
[MemoryDiagnoser]
public class DistinctKeys
{
    private Record[] _records = [];
    private CompiledPlan<Record, int> _plan = null!;

    [GlobalSetup]
    public void Setup()
    {
        _records = Workload.Records();
        _plan = new CompiledPlan<Record, int>(s => s.Select(r => r.Key).Distinct());
        var expected = HandWritten();
        if (!StreamLinq().SequenceEqual(expected) || !Linq().SequenceEqual(expected) || !Rx().SequenceEqual(expected))
        {
            throw new InvalidOperationException("The four forms disagree.");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Workload.BatchSize)]
    public int[] HandWritten()
    {
        var seen = new HashSet<int>();
        var keys = new List<int>();
        foreach (var r in _records)
        {
            if (seen.Add(r.Key))
            {
                keys.Add(r.Key);
            }
        }

        return [.. keys];
    }

    [Benchmark(OperationsPerInvoke = Workload.BatchSize)]
    public int[] StreamLinq() => _plan.Run(_records);

    [Benchmark(OperationsPerInvoke = Workload.BatchSize)]
    public int[] Linq() => _records.Select(r => r.Key).Distinct().ToArray();

    [Benchmark(OperationsPerInvoke = Workload.BatchSize)]
    public int[] Rx()
    {
        var subject = new Subject<Record>();
        var keys = new List<int>();
        using var subscription = subject.Select(r => r.Key).Distinct().Subscribe(keys.Add);
        foreach (var r in _records)
        {
            subject.OnNext(r);
        }

        subject.OnCompleted();
        return [.. keys];
    }
}
