using System.Reactive.Linq;
using System.Reactive.Subjects;
using BenchmarkDotNet.Attributes;

namespace StreamLinq.Benchmarks;

/// <summary>
/// <c>SelectMany(line =&gt; line.Split(' ')).Count()</c> over a batch of 8-word lines, four ways.
/// Splitting dominates; the question is what each engine adds around it.
/// </summary>
[MemoryDiagnoser]
public class SelectManyCount
{
    private string[] _lines = [];
    private CompiledPlan<string, long> _plan = null!;

    [GlobalSetup]
    public void Setup()
    {
        _lines = Workload.Lines();
        _plan = new CompiledPlan<string, long>(s => s.SelectMany(line => line.Split(' ', StringSplitOptions.None)).Count());
        var expected = HandWritten();
        if (StreamLinq() != expected || Linq() != expected || Rx() != expected)
        {
            throw new InvalidOperationException("The four forms disagree.");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Workload.LineCount)]
    public long HandWritten()
    {
        var count = 0L;
        foreach (var line in _lines)
        {
            foreach (var _ in line.Split(' ', StringSplitOptions.None))
            {
                count++;
            }
        }

        return count;
    }

    [Benchmark(OperationsPerInvoke = Workload.LineCount)]
    public long StreamLinq() => _plan.Run(_lines)[0];

    [Benchmark(OperationsPerInvoke = Workload.LineCount)]
    public long Linq() => _lines.SelectMany(line => line.Split(' ', StringSplitOptions.None)).LongCount();

    [Benchmark(OperationsPerInvoke = Workload.LineCount)]
    public long Rx()
    {
        var subject = new Subject<string>();
        var count = 0L;
        using var subscription = subject.SelectMany(line => line.Split(' ', StringSplitOptions.None)).LongCount().Subscribe(c => count = c);
        foreach (var line in _lines)
        {
            subject.OnNext(line);
        }

        subject.OnCompleted();
        return count;
    }
}
