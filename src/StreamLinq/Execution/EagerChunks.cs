using System.Collections.Concurrent;
using StreamLinq.Sources;

namespace StreamLinq.Execution;

/// <summary>
/// A node's eager work over a receiver: while a batch is still open, runs the node's work over
/// the receiver's chunks that are already full (immutable, and certainly in the coming batch),
/// a run per batch of chunks queued, so that at the boundary only the last chunks remain. The
/// results are only a cache, found by chunk: the batch uses a run's result where its input holds
/// exactly the chunk ranges the run read, and does the work as usual everywhere else.
/// </summary>
/// <typeparam name="TIn">The receiver's records.</typeparam>
/// <typeparam name="TRun">What a run makes of its chunks.</typeparam>
/// <remarks>
/// <para>Per batch, nothing checkpointed: a run's result is found once (a retry of the batch, a
/// replay from the write-ahead log or after a restart reads other arrays or finds it gone, and
/// runs the normal way). A user function that throws during eager work drops the failing run,
/// and eager work stops until the next seal: the batch then does that work itself, so the
/// exception fails that batch at its time.</para>
/// <para>User functions run once per record per batch attempt: a run reads its chunks' unsealed
/// ranges between seals (exactly what the next seal takes whole), one producer's chunks at a
/// time (consecutive in the batch); the batch forgets the chunks queued but not yet run, and
/// waits for a run in progress, before it looks.</para>
/// </remarks>
internal sealed class EagerChunks<TIn, TRun> : IFullChunkListener<TIn>, IThreadPoolWorkItem
    where TRun : class
{
    /// <summary>Records queued before a run is started: about a millisecond of work, so a run costs one pool hand-off per that much.</summary>
    private const int RunRecords = 65_536;

    /// <summary>Seals after which a result no batch took is dropped (a dropped chunk, a batch that ran without it).</summary>
    private const long KeptSeals = 3;

    private readonly Receiver<TIn> _receiver;
    private readonly Func<BatchRecords<TIn>, TRun?> _run;
    private readonly ConcurrentQueue<ReceiverChunk<TIn>> _full = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<TIn[], Done> _done = new(ReferenceEqualityComparer.Instance);
    private readonly List<ReceiverChunk<TIn>> _taken = [];
    private int _queuedChunks;
    private int _scheduled;
    private long _stoppedAt = -1;

    /// <param name="receiver">The receiver whose full chunks to run over.</param>
    /// <param name="run">The node's work over a run of chunks (each chunk a segment, in order); null when it made nothing worth keeping. May throw (user code).</param>
    public EagerChunks(Receiver<TIn> receiver, Func<BatchRecords<TIn>, TRun?> run)
    {
        _receiver = receiver;
        _run = run;
        receiver.AddFullChunkListener(this);
    }

    public void OnFull(ReceiverChunk<TIn> chunk)
    {
        if (Volatile.Read(ref _stoppedAt) == _receiver.SealEpoch || !chunk.TryAddReference())
        {
            return;
        }

        _full.Enqueue(chunk);
        if (Interlocked.Increment(ref _queuedChunks) * (long)chunk.Capacity >= RunRecords && Interlocked.Exchange(ref _scheduled, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    /// <summary>Eager work on the thread pool: a run per producer over every chunk queued.</summary>
    public void Execute()
    {
        Volatile.Write(ref _scheduled, 0);
        lock (_gate)
        {
            while (_full.TryDequeue(out var queued))
            {
                Interlocked.Decrement(ref _queuedChunks);
                _taken.Add(queued);
            }

            var chunks = _taken.ToArray();
            _taken.Clear();
            if (chunks.Length == 0)
            {
                return;
            }

            // A stopped receiver's last batches do the rest themselves: no run starts after the stop.
            if (_receiver.IsClosed)
            {
                Array.ForEach(chunks, chunk => chunk.Release());
                return;
            }

            var starts = new int[chunks.Length];
            var epoch = _receiver.Unsealed(starts, chunks);
            Expire(epoch);
            var done = new bool[chunks.Length];
            for (var first = 0; first < chunks.Length; first++)
            {
                if (done[first])
                {
                    continue;
                }

                var run = new List<int>();
                for (var c = first; c < chunks.Length; c++)
                {
                    if (!done[c] && ReferenceEquals(chunks[c].Producer, chunks[first].Producer))
                    {
                        done[c] = true;
                        run.Add(c);
                    }
                }

                if (epoch == Volatile.Read(ref _stoppedAt) || !RunOver(chunks, starts, run, epoch))
                {
                    Volatile.Write(ref _stoppedAt, epoch);
                    foreach (var c in run)
                    {
                        chunks[c].Release();
                    }
                }
            }
        }
    }

    /// <summary>One run over the chunks at <paramref name="run"/>, which it keeps on success; false when user code threw.</summary>
    private bool RunOver(ReceiverChunk<TIn>[] chunks, int[] starts, List<int> run, long epoch)
    {
        var segments = new List<ReadOnlyMemory<TIn>>(run.Count);
        var used = new List<ReceiverChunk<TIn>>(run.Count);
        foreach (var c in run)
        {
            if (starts[c] < chunks[c].Capacity)
            {
                segments.Add(chunks[c].Memory(starts[c], chunks[c].Capacity));
                used.Add(chunks[c]);
            }
            else
            {
                chunks[c].Release();
            }
        }

        run.Clear();
        if (used.Count == 0)
        {
            return true;
        }

        TRun? result;
        var input = new BatchRecords<TIn>(segments, release: null);
        try
        {
            result = _run(input);
        }
        catch (Exception)
        {
            // The batch does this work itself and fails there, at its time, if it throws again.
            used.ForEach(chunk => chunk.Release());
            return false;
        }

        for (var c = 0; c < used.Count; c++)
        {
            var chunk = used[c];
            if (result is null || !_done.TryAdd(chunk.Items, new Done(chunk, input.Offsets[c], chunk.Capacity, result, c, used.Count, epoch)))
            {
                chunk.Release();
            }
        }

        return true;
    }

    /// <summary>
    /// For each segment of <paramref name="input"/>, the run that read exactly it and its place
    /// in that run, or a default entry; null when no segment was read by a run. Each run's result
    /// is found once: later calls (a retry) do the work the normal way.
    /// </summary>
    public (TRun? Run, int Index, int Count)[]? Find(BatchRecords<TIn> input)
    {
        lock (_gate)
        {
            // Queued chunks the batch may hold: it runs them itself, so they are never run twice.
            while (_full.TryDequeue(out var queued))
            {
                Interlocked.Decrement(ref _queuedChunks);
                queued.Release();
            }

            Expire(_receiver.SealEpoch);
            if (_done.Count == 0)
            {
                return null;
            }

            var arrays = input.Arrays;
            (TRun?, int, int)[]? found = null;
            for (var s = 0; s < arrays.Length; s++)
            {
                if (_done.TryGetValue(arrays[s], out var done) && done.Start == input.Offsets[s] && done.End - done.Start == input.Starts[s + 1] - input.Starts[s])
                {
                    _done.Remove(arrays[s]);
                    done.Chunk.Release();
                    (found ??= new (TRun?, int, int)[arrays.Length])[s] = (done.Run, done.Index, done.Count);
                }
            }

            return found;
        }
    }

    /// <summary>
    /// A batch's segments in order as parts: each a stretch <c>[From, To)</c> of segments that a
    /// run read (<c>Run</c>) or that none did. With <paramref name="wholeRuns"/> a run counts only
    /// where the batch holds all its segments, in order (an aggregate's table stands for the whole
    /// run), and is one part; otherwise each segment a run read is a part of its own. Null when no
    /// part is a run's (the batch then runs the normal way).
    /// </summary>
    public static List<(bool Run, int From, int To)>? Parts((TRun? Run, int Index, int Count)[] found, bool wholeRuns)
    {
        var parts = new List<(bool Run, int From, int To)>();
        var any = false;
        var from = -1;
        for (var s = 0; s < found.Length;)
        {
            var width = Usable(found, s, wholeRuns);
            if (width == 0)
            {
                from = from < 0 ? s : from;
                s++;
                continue;
            }

            if (from >= 0)
            {
                parts.Add((false, from, s));
                from = -1;
            }

            parts.Add((true, s, s + width));
            any = true;
            s += width;
        }

        if (from >= 0)
        {
            parts.Add((false, from, found.Length));
        }

        return any ? parts : null;
    }

    /// <summary>How many segments from <paramref name="s"/> a run's part covers; 0 when none.</summary>
    private static int Usable((TRun? Run, int Index, int Count)[] found, int s, bool wholeRuns)
    {
        var (run, index, count) = found[s];
        if (run is null)
        {
            return 0;
        }

        if (!wholeRuns)
        {
            return 1;
        }

        if (index != 0 || s + count > found.Length)
        {
            return 0;
        }

        for (var i = s; i < s + count; i++)
        {
            if (!ReferenceEquals(found[i].Run, run) || found[i].Index != i - s)
            {
                return 0;
            }
        }

        return count;
    }

    /// <summary>Drops results no batch took within <see cref="KeptSeals"/> seals, giving back their chunks.</summary>
    private void Expire(long epoch)
    {
        List<TIn[]>? expired = null;
        foreach (var (array, done) in _done)
        {
            if (done.Epoch + KeptSeals <= epoch)
            {
                (expired ??= []).Add(array);
            }
        }

        foreach (var array in expired ?? [])
        {
            _done.Remove(array, out var done);
            done.Chunk.Release();
        }
    }

    /// <summary>Records <c>[Start, End)</c> of a chunk were the <c>Index</c>-th of <c>Count</c> segments of a run, made between seal <c>Epoch</c> and the next.</summary>
    private readonly record struct Done(ReceiverChunk<TIn> Chunk, int Start, int End, TRun Run, int Index, int Count, long Epoch);
}
