using StreamLinq.Sources;

namespace StreamLinq.Execution;

/// <summary>
/// A fused stage's eager work (<see cref="EagerChunks{TIn,TRun}"/>): each run's output in one
/// array, with where each chunk's part ends, so that a batch uses the part of every chunk it
/// holds as a run read it, and its records are those parts and the loop's output elsewhere, in
/// order, as segments (no copy into one array).
/// </summary>
internal sealed class EagerStage<TIn, TOut>
{
    private readonly EagerChunks<TIn, Output> _chunks;
    private readonly Action<BatchRecords<TIn>, int, int, List<TOut>> _loop;

    // The runs' list, kept from one run to the next: each run copies it into an array of the exact count.
    private readonly List<TOut> _scratch = [];

    public EagerStage(Receiver<TIn> receiver, Action<BatchRecords<TIn>, int, int, List<TOut>> loop)
    {
        _loop = loop;
        _chunks = new EagerChunks<TIn, Output>(receiver, Run);
    }

    private Output Run(BatchRecords<TIn> chunks)
    {
        var ends = new int[chunks.Arrays.Length];
        _scratch.Clear();
        try
        {
            for (var c = 0; c < ends.Length; c++)
            {
                _loop(chunks, chunks.Starts[c], chunks.Starts[c + 1], _scratch);
                ends[c] = _scratch.Count;
            }

            var output = GC.AllocateUninitializedArray<TOut>(_scratch.Count);
            _scratch.CopyTo(output);
            return new Output(output, ends);
        }
        finally
        {
            _scratch.Clear();
        }
    }

    /// <summary>
    /// The stage's records for a batch whose input is <paramref name="input"/>: eager runs' parts
    /// where they read a segment, the loop's output elsewhere; null when no run read any of it
    /// (the batch then runs the normal way).
    /// </summary>
    /// <exception cref="Exception">The loop's user code threw over a part no run read.</exception>
    public BatchRecords<TOut>? TryCompute(BatchRecords<TIn> input)
    {
        if (_chunks.Find(input) is not { } found)
        {
            return null;
        }

        var parts = new List<(TOut[] Array, int Start, int Length)>();
        foreach (var (isRun, from, to) in EagerChunks<TIn, Output>.Parts(found, wholeRuns: false)!)
        {
            if (!isRun)
            {
                var computed = new List<TOut>(input.Starts[to] - input.Starts[from]);
                _loop(input, input.Starts[from], input.Starts[to], computed);
                parts.Add((computed.ToArray(), 0, computed.Count));
                continue;
            }

            var (run, index, _) = found[from];
            var start = index == 0 ? 0 : run!.Ends[index - 1];
            var length = run!.Ends[index] - start;
            if (parts.Count > 0 && parts[^1] is var (last, lastStart, lastLength) && ReferenceEquals(last, run.Array) && lastStart + lastLength == start)
            {
                parts[^1] = (last, lastStart, lastLength + length);
            }
            else
            {
                parts.Add((run.Array, start, length));
            }
        }

        return new BatchRecords<TOut>([.. parts.Select(p => new ReadOnlyMemory<TOut>(p.Array, p.Start, p.Length))], release: null);
    }

    /// <summary>A run's output, and where each of its chunks' part ends in it.</summary>
    private sealed record Output(TOut[] Array, int[] Ends);
}
