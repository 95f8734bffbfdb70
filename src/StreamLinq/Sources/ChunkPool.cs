using System.Buffers;

namespace StreamLinq.Sources;

/// <summary>
/// A receiver's own pool of chunk arrays, holding as many as its recent batches used: the shared
/// pool keeps a few dozen arrays of a size per core and drops the rest, so a large batch's
/// chunks (about 50 of 64 KB at 100 k records) came back only in part and the next batch
/// allocated the others afresh. Arrays beyond what the last seals needed are let go, so a burst
/// does not keep its memory once it is over.
/// </summary>
internal sealed class ChunkPool<T> : ArrayPool<T>
{
    private readonly Lock _gate = new();
    private T[][] _free = new T[16][];
    private int _count;
    private int _keep = 16;

    /// <summary>The last seal took <paramref name="chunks"/> chunks: keep enough for it and the producers' next ones.</summary>
    public void Sealed(int chunks)
    {
        lock (_gate)
        {
            _keep = Math.Max(16, 2 * chunks);
        }
    }

    public override T[] Rent(int minimumLength)
    {
        lock (_gate)
        {
            while (_count > 0)
            {
                var array = _free[--_count];
                _free[_count] = null!;
                if (array.Length >= minimumLength)
                {
                    return array;
                }
            }
        }

        return new T[minimumLength];
    }

    public override void Return(T[] array, bool clearArray = false)
    {
        if (clearArray)
        {
            Array.Clear(array);
        }

        lock (_gate)
        {
            if (_count >= _keep)
            {
                return;
            }

            if (_count == _free.Length)
            {
                Array.Resize(ref _free, 2 * _free.Length);
            }

            _free[_count++] = array;
        }
    }
}
