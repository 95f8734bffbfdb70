using System.Collections;
using System.Runtime.CompilerServices;

namespace StreamLinq.Sources;

/// <summary>
/// A batch's records over several arrays as one read-only list, for outputs: what a fused
/// stage's eager work made reaches <c>ForEachBatch</c> without being copied into one array. The
/// arrays are the batch's own (never pooled), so the list may be kept past the batch.
/// </summary>
/// <remarks>Indexing in order is the fast path: the segment of the last index read is tried first.</remarks>
internal sealed class SegmentList<T> : IReadOnlyList<T>
{
    private readonly Segment[] _segments;

    // One reference, so that readers on several threads see a whole segment and at most miss the fast path.
    private Segment _current;

    public SegmentList(T[][] arrays, int[] offsets, int[] starts)
    {
        _segments = new Segment[arrays.Length];
        for (var s = 0; s < arrays.Length; s++)
        {
            _segments[s] = new Segment(arrays[s], offsets[s] - starts[s], starts[s], starts[s + 1] - starts[s]);
        }

        Count = starts[arrays.Length];
        _current = _segments[0];
    }

    public int Count { get; }

    public T this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            var segment = _current;
            return (uint)(index - segment.Start) < (uint)segment.Length ? segment.Array[segment.Shift + index] : Seek(index);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private T Seek(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The batch holds {Count} records.");
        }

        int low = 0, high = _segments.Length - 1;
        while (low < high)
        {
            var middle = (low + high + 1) / 2;
            if (_segments[middle].Start <= index)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }

        var segment = _current = _segments[low];
        return segment.Array[segment.Shift + index];
    }

    public IEnumerator<T> GetEnumerator()
    {
        foreach (var segment in _segments)
        {
            for (int i = segment.Start + segment.Shift, end = i + segment.Length; i < end; i++)
            {
                yield return segment.Array[i];
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Records <c>[Start, Start + Length)</c> of the batch, at <c>Array[Shift + index]</c>.</summary>
    private sealed record Segment(T[] Array, int Shift, int Start, int Length);
}
