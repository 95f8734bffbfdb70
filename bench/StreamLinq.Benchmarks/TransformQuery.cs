using BenchmarkDotNet.Attributes;

namespace StreamLinq.Benchmarks;

/// <summary>
/// <c>Transform(q =&gt; ...)</c> against the same query written with the stream's own operators,
/// on 100-record batches (where a per-batch compilation shows most): the query
/// <c>Where(r =&gt; r.Key % 10 != 0).Select(r =&gt; r.Value * 2).OrderBy(v =&gt; v)</c>. The third
/// form is what <c>Transform</c> did before it compiled its query once: the function run over an
/// <see cref="EnumerableQuery{T}"/> of the batch, which compiles its tree at every enumeration.
/// What remains between Transform and the stream's operators is the function's call per batch,
/// which builds its tree (no compilation) to check that it is still the query compiled.
/// </summary>
[MemoryDiagnoser]
public class TransformQuery
{
    private const int BatchSize = 100;
    private Record[] _records = [];
    private CompiledPlan<Record, long> _operators = null!;
    private CompiledPlan<Record, long> _transform = null!;

    private static IQueryable<long> Query(IQueryable<Record> batch) =>
        batch.Where(r => r.Key % 10 != 0).Select(r => r.Value * 2).OrderBy(v => v);

    [GlobalSetup]
    public void Setup()
    {
        _records = Workload.Records(BatchSize);
        _operators = new CompiledPlan<Record, long>(s => s.Where(r => r.Key % 10 != 0).Select(r => r.Value * 2).OrderBy(v => v));
        _transform = new CompiledPlan<Record, long>(s => s.Transform(Query));
        if (!_transform.Explain.Contains("compiled", StringComparison.Ordinal) ||
            !StreamOperators().SequenceEqual(Transform()) || !StreamOperators().SequenceEqual(EnumerableQueryPerBatch()))
        {
            throw new InvalidOperationException("The three forms disagree, or the transform was not compiled:\n" + _transform.Explain);
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = BatchSize)]
    public long[] StreamOperators() => _operators.Run(_records);

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public long[] Transform() => _transform.Run(_records);

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public long[] EnumerableQueryPerBatch() => [.. Query(_records.AsQueryable())];
}
