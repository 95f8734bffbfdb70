using System.Reactive.Linq;
using System.Reactive.Subjects;
using BenchmarkDotNet.Attributes;

namespace StreamLinq.Benchmarks;

/// <summary>
/// The ten largest values of a batch, ties in arrival order (<c>OrderByDescending(r =&gt; r.Value).Take(10)</c>),
/// four ways. The loop keeps a sorted array of ten and inserts into it; Rx.NET has no top-k
/// operator, so it collects the batch and sorts it with LINQ when the batch completes.
/// </summary>
[MemoryDiagnoser]
public class TopTen
{
    private const int K = 10;
    private Record[] _records = [];
    private CompiledPlan<Record, Record> _plan = null!;

    [GlobalSetup]
    public void Setup()
    {
        _records = Workload.Records();
        _plan = new CompiledPlan<Record, Record>(s => s.OrderByDescending(r => r.Value).Take(K));
        var expected = HandWritten();
        if (!StreamLinq().SequenceEqual(expected) || !Linq().SequenceEqual(expected) || !Rx().SequenceEqual(expected))
        {
            throw new InvalidOperationException("The four forms disagree.");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Workload.BatchSize)]
    public Record[] HandWritten()
    {
        var top = new Record[K];
        var count = 0;
        foreach (var r in _records)
        {
            if (count == K && r.Value <= top[K - 1].Value)
            {
                continue; // not larger than the smallest kept: an equal value came later, so it goes after
            }

            var at = count < K ? count++ : K - 1;
            while (at > 0 && top[at - 1].Value < r.Value)
            {
                top[at] = top[at - 1];
                at--;
            }

            top[at] = r;
        }

        return top[..count];
    }

    [Benchmark(OperationsPerInvoke = Workload.BatchSize)]
    public Record[] StreamLinq() => _plan.Run(_records);

    [Benchmark(OperationsPerInvoke = Workload.BatchSize)]
    public Record[] Linq() => _records.OrderByDescending(r => r.Value).Take(K).ToArray();

    [Benchmark(OperationsPerInvoke = Workload.BatchSize)]
    public Record[] Rx()
    {
        var subject = new Subject<Record>();
        Record[] top = [];
        using var subscription = subject.ToList().Subscribe(all => top = all.OrderByDescending(r => r.Value).Take(K).ToArray());
        foreach (var r in _records)
        {
            subject.OnNext(r);
        }

        subject.OnCompleted();
        return top;
    }
}
