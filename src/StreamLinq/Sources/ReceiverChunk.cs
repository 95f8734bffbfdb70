using System.Buffers;
using System.Runtime.CompilerServices;

namespace StreamLinq.Sources;

/// <summary>
/// A run of records one producer stored, in a pooled array small enough to stay off the
/// large-object heap. The producer writes slots <c>[Count, Capacity)</c> and publishes each with a
/// volatile write of <see cref="Count"/>; seals take <c>[Taken, Count)</c>; neither locks. A chunk
/// can feed several batches (sealed while partly filled); it goes back to the pool once its
/// producer has handed it off and every sealed range of it has been read.
/// </summary>
internal sealed class ReceiverChunk<T>
{
    /// <summary>About 64 KB of records, a power of two (the pool's buckets), so a chunk never reaches the 85,000-byte large-object threshold.</summary>
    public static readonly int DefaultLength = ChooseLength();

    private readonly ArrayPool<T> _pool;
    private readonly T[] _items;
    private int _count;
    private int _taken;

    // One reference for the producer until it hands the chunk off (to the seal's channel, or by
    // dropping it), one per sealed range until the range is read.
    private int _references = 1;

    public ReceiverChunk(ArrayPool<T> pool, int capacity, long sequence, object producer)
    {
        _pool = pool;
        _items = pool.Rent(capacity);
        Capacity = capacity;
        Sequence = sequence;
        Producer = producer;
    }

    /// <summary>The writer that fills the chunk.</summary>
    public object Producer { get; }

    /// <summary>How many slots the producer may fill (the pool may hand a larger array).</summary>
    public int Capacity { get; }

    /// <summary>The chunk's place among its producer's chunks, so that seals keep each producer's order.</summary>
    public long Sequence { get; }

    /// <summary>Records written so far; read by seals with acquire semantics.</summary>
    public int Count => Volatile.Read(ref _count);

    public bool IsFull => _count == Capacity;

    /// <summary>Records already sealed (or dropped).</summary>
    public int Taken => Volatile.Read(ref _taken);

    /// <summary>The producer's append: the caller checked there is room.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryAppend(T record)
    {
        var count = _count;
        if ((uint)count >= (uint)Capacity)
        {
            return false;
        }

        _items[count] = record;
        Volatile.Write(ref _count, count + 1);
        return true;
    }

    /// <summary>
    /// Claims the records <c>[Taken, end)</c> for a batch (or for dropping); a seal and a producer
    /// dropping the oldest chunk can race here, so the claim is a compare-and-swap and each record
    /// is claimed once.
    /// </summary>
    public (int Start, int End) Claim(int end)
    {
        while (true)
        {
            var taken = Volatile.Read(ref _taken);
            if (taken >= end)
            {
                return (taken, taken);
            }

            if (Interlocked.CompareExchange(ref _taken, end, taken) == taken)
            {
                return (taken, end);
            }
        }
    }

    /// <summary>
    /// Takes a reference for a sealed range; false when the chunk is already back in the pool (a
    /// seal that looked at a producer's chunk just as the producer, finding it wholly taken,
    /// let it go): then it holds nothing left to take, and reviving it would return its array twice.
    /// </summary>
    public bool TryAddReference()
    {
        var references = Volatile.Read(ref _references);
        while (references > 0)
        {
            var seen = Interlocked.CompareExchange(ref _references, references + 1, references);
            if (seen == references)
            {
                return true;
            }

            references = seen;
        }

        return false;
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            _pool.Return(_items, RuntimeHelpers.IsReferenceOrContainsReferences<T>());
        }
    }

    /// <summary>The chunk's array: a batch's segment of the chunk is this array at the range's start.</summary>
    public T[] Items => _items;

    /// <summary>A sealed range as a batch's segment; valid until the range's reference is released.</summary>
    public ReadOnlyMemory<T> Memory(int start, int end) => _items.AsMemory(start, end - start);

    private static int ChooseLength()
    {
        var size = RuntimeHelpers.IsReferenceOrContainsReferences<T>() && !typeof(T).IsValueType ? IntPtr.Size : Math.Max(1, Unsafe.SizeOf<T>());
        var length = 16;
        while (length * 2 * size <= 64 * 1024 && length < 16_384)
        {
            length *= 2;
        }

        return length;
    }
}

/// <summary>One batch's share of one chunk.</summary>
internal readonly record struct ChunkRange<T>(ReceiverChunk<T> Chunk, int Start, int End)
{
    public int Length => End - Start;
}
