using System.Runtime.InteropServices;

namespace StreamLinq.Sources;

/// <summary>
/// One batch's records of one input as a sequence of segments, handed to the batch without
/// copying: a source that receives arrays or <see cref="ReadOnlyMemory{T}"/> segments (a
/// receiver's pooled chunks, a broker client's buffers) passes them as they are, and the
/// engine's compiled loops walk the segments in order.
/// </summary>
/// <typeparam name="T">The type of the records.</typeparam>
/// <remarks>
/// <para>Ownership: the batch owns the segments from the moment
/// <see cref="ISealedInput.ReadRecordsAsync"/> returns them until it releases them: the release
/// action runs once, when no attempt at the batch runs any more: after its outputs ran, after a
/// failure it is not retried from, or when the context stops abruptly; never while a retry may
/// still read them, and not at all when a call of the batch was left running past its time-out
/// (<see cref="StreamingOptions.OperationTimeout"/>) and may still read them. A source that pools its buffers returns them to the pool there. Records
/// handed to user code (a <c>ForEachBatch</c> output, a transform) are never a segment that has
/// a release action: one array made when first needed, so user code cannot keep a pooled buffer
/// past its release (a batch that is one whole array without one is handed over as it is).</para>
/// <para>A segment not backed by an array (<see cref="MemoryMarshal.TryGetArray{T}"/> fails, e.g.
/// native memory) is copied into an array when the records are made.</para>
/// </remarks>
public sealed class BatchRecords<T> : BatchRecords
{
    private readonly Lock _gate = new();
    private readonly T[][] _arrays;
    private readonly int[] _offsets;
    private readonly int[] _starts;
    private readonly bool _owned;
    private Action? _release;
    private T[]? _contiguous;

    /// <summary>One array, as the batch's only segment; nothing to release.</summary>
    /// <param name="records">The records; the engine only reads them.</param>
    /// <exception cref="ArgumentNullException"><paramref name="records"/> is null.</exception>
    public BatchRecords(T[] records)
    {
        ArgumentNullException.ThrowIfNull(records);
        _arrays = records.Length == 0 ? [] : [records];
        _offsets = records.Length == 0 ? [] : [0];
        _starts = records.Length == 0 ? [0] : [0, records.Length];
        Count = records.Length;
    }

    /// <summary>The segments in order, and what to do once the batch is done with them.</summary>
    /// <param name="segments">The records, segment after segment; empty segments are skipped.</param>
    /// <param name="release">
    /// Runs once after the batch's outputs ran (see the remarks), e.g. to return pooled buffers;
    /// null when there is nothing to release.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="segments"/> is null.</exception>
    /// <exception cref="OverflowException">The segments hold more than <see cref="int.MaxValue"/> records.</exception>
    public BatchRecords(IReadOnlyList<ReadOnlyMemory<T>> segments, Action? release)
    {
        ArgumentNullException.ThrowIfNull(segments);
        var arrays = new T[segments.Count][];
        var offsets = new int[segments.Count];
        var starts = new int[segments.Count + 1];
        var used = 0;
        for (var s = 0; s < segments.Count; s++)
        {
            var segment = segments[s];
            if (segment.IsEmpty)
            {
                continue;
            }

            var piece = MemoryMarshal.TryGetArray(segment, out var array) ? array : new ArraySegment<T>(segment.ToArray());
            arrays[used] = piece.Array!;
            offsets[used] = piece.Offset;
            starts[used + 1] = checked(starts[used] + piece.Count);
            used++;
        }

        if (used < segments.Count)
        {
            Array.Resize(ref arrays, used);
            Array.Resize(ref offsets, used);
            Array.Resize(ref starts, used + 1);
        }

        _arrays = arrays;
        _offsets = offsets;
        _starts = starts;
        Count = starts[used];
        _release = release;
        _owned = release is not null;
    }

    /// <inheritdoc/>
    public override int Count { get; }

    /// <inheritdoc/>
    public override Type ElementType => typeof(T);

    /// <summary>The segments, in order, none empty.</summary>
    public IReadOnlyList<ReadOnlyMemory<T>> Segments =>
        [.. _arrays.Select((array, s) => new ReadOnlyMemory<T>(array, _offsets[s], _starts[s + 1] - _starts[s]))];

    /// <summary>Each segment's array (the compiled loops index it directly).</summary>
    internal T[][] Arrays => _arrays;

    /// <summary>Where each segment starts in its array.</summary>
    internal int[] Offsets => _offsets;

    /// <summary>Each segment's first record's place in the batch, then <see cref="Count"/>: segment <c>s</c> holds records <c>[Starts[s], Starts[s + 1])</c>.</summary>
    internal int[] Starts => _starts;

    /// <summary>The segment that holds record <paramref name="index"/> of the batch: the last one when past the end, 0 when there is none.</summary>
    internal int SegmentOf(int index)
    {
        var found = Array.BinarySearch(_starts, 0, _arrays.Length, index);
        return Math.Max(0, found >= 0 ? found : ~found - 1);
    }

    internal override Array ToArray() => Contiguous();

    internal override System.Collections.IEnumerable AsList() => _owned || _arrays.Length <= 1 ? Contiguous() : new SegmentList<T>(_arrays, _offsets, _starts);

    /// <summary>The records as one <c>T[]</c>; see <see cref="BatchRecords.ToArray"/>.</summary>
    internal T[] Contiguous()
    {
        lock (_gate)
        {
            if (_contiguous is { } done)
            {
                return done;
            }

            // Exactly a T[]: through array covariance a string[] is an object[], and a node of
            // object records may store any object into the arrays it is given.
            if (_arrays.Length == 1 && !_owned && _offsets[0] == 0 && _arrays[0].Length == Count && _arrays[0].GetType() == typeof(T[]))
            {
                return _contiguous = _arrays[0];
            }

            var all = Count == 0 ? [] : new T[Count];
            for (var s = 0; s < _arrays.Length; s++)
            {
                Array.Copy(_arrays[s], _offsets[s], all, _starts[s], _starts[s + 1] - _starts[s]);
            }

            return _contiguous = all;
        }
    }

    internal override void Release() => Interlocked.Exchange(ref _release, null)?.Invoke();
}
