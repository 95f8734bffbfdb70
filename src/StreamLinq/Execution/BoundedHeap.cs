using System.Runtime.CompilerServices;

namespace StreamLinq.Execution;

/// <summary>
/// The k records that come first by a key chain, as a max-heap by (keys, arrival): its root is
/// the record that would come last of those kept. The compiled loop of <see cref="TopK{TIn, T, TKey}"/>
/// compares a record's first key with <see cref="RootKey"/> inline and hands over only a record
/// that enters (<see cref="Pending"/>, then <see cref="OfferPending"/>; <see cref="Offer"/> from a
/// loop that cannot stop at a record), so most records cost one comparison and no call.
/// </summary>
/// <param name="capacity">k, at least 1.</param>
/// <param name="compare">The whole key chain's comparison (descending keys inverted).</param>
internal sealed class BoundedHeap<T, TKey>(int capacity, Func<T, T, int> compare)
{
    private readonly T[] _records = new T[capacity];
    private readonly TKey[] _keys = new TKey[capacity];
    private readonly int[] _arrival = new int[capacity];
    private int _size;

    /// <summary>Whether k records are kept, so a record enters only if it comes before <see cref="Root"/>.</summary>
    public bool Full;

    /// <summary>The first key of <see cref="Root"/>, once <see cref="Full"/>.</summary>
    public TKey RootKey = default!;

    /// <summary>How many values the loop saw before the next one; the next value's place in arrival order.</summary>
    public int Arrival;

    /// <summary>Whether the loop left a value that enters in <see cref="Pending"/> for <see cref="OfferPending"/>.</summary>
    public bool HasPending;

    /// <summary>A value that enters, left by the loop (see <see cref="HasPending"/>).</summary>
    public T Pending = default!;

    /// <summary>The first key of <see cref="Pending"/>.</summary>
    public TKey PendingKey = default!;

    /// <summary>The record that would come last of those kept, once <see cref="Full"/>.</summary>
    public T Root => _records[0];

    /// <summary>The comparison of the whole key chain, for a record whose first key ties with <see cref="RootKey"/>.</summary>
    public Func<T, T, int> Compare { get; } = compare;

    /// <summary>Keeps <paramref name="record"/> (first key <paramref name="key"/>, the <paramref name="arrival"/>-th offered), dropping the root when full.</summary>
    /// <remarks>Never inlined: it runs for the few records that enter, and inlined into the compiled loop it took the registers of the loop every record runs.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Offer(T record, TKey key, int arrival)
    {
        if (_size < _records.Length)
        {
            SiftUp(_size++, record, key, arrival);
            Full = _size == _records.Length;
        }
        else
        {
            SiftDown(record, key, arrival);
        }

        RootKey = _keys[0];
    }

    /// <summary>Offers <see cref="Pending"/> (the <see cref="Arrival"/>-th value), if the loop left one; false when it had not.</summary>
    public bool OfferPending()
    {
        if (!HasPending)
        {
            return false;
        }

        HasPending = false;
        Offer(Pending, PendingKey, Arrival++);
        return true;
    }

    /// <summary>The kept records in order: by the key chain, then by arrival.</summary>
    public T[] Sorted()
    {
        var order = new int[_size];
        for (var p = 0; p < order.Length; p++)
        {
            order[p] = p;
        }

        Array.Sort(order, (a, b) => Order(_records[a], _arrival[a], _records[b], _arrival[b]));
        var sorted = new T[_size];
        for (var p = 0; p < sorted.Length; p++)
        {
            sorted[p] = _records[order[p]];
        }

        return sorted;
    }

    private int Order(T a, int arrivalA, T b, int arrivalB)
    {
        var c = Compare(a, b);
        return c != 0 ? c : arrivalA.CompareTo(arrivalB);
    }

    private void SiftUp(int position, T record, TKey key, int arrival)
    {
        while (position > 0)
        {
            var parent = (position - 1) / 2;
            if (Order(record, arrival, _records[parent], _arrival[parent]) <= 0)
            {
                break;
            }

            Move(parent, position);
            position = parent;
        }

        Put(position, record, key, arrival);
    }

    private void SiftDown(T record, TKey key, int arrival)
    {
        var position = 0;
        while (true)
        {
            var child = (2 * position) + 1;
            if (child >= _size)
            {
                break;
            }

            if (child + 1 < _size && Order(_records[child + 1], _arrival[child + 1], _records[child], _arrival[child]) > 0)
            {
                child++;
            }

            if (Order(_records[child], _arrival[child], record, arrival) <= 0)
            {
                break;
            }

            Move(child, position);
            position = child;
        }

        Put(position, record, key, arrival);
    }

    private void Move(int from, int to)
    {
        _records[to] = _records[from];
        _keys[to] = _keys[from];
        _arrival[to] = _arrival[from];
    }

    private void Put(int position, T record, TKey key, int arrival)
    {
        _records[position] = record;
        _keys[position] = key;
        _arrival[position] = arrival;
    }
}
