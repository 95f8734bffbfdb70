using System.Runtime.CompilerServices;

namespace StreamLinq.Execution;

/// <summary>
/// The hash table of a hash aggregation: a slot per distinct key, in order of first appearance
/// (the order LINQ's GroupBy yields), and one <see cref="AggregateColumn"/> per aggregate.
/// A null key has a slot of its own, as in LINQ. Without columns it is <see cref="HashDistinct{T}"/>'s
/// set: its keys in slot order are the distinct records in order of first appearance.
/// </summary>
/// <remarks>
/// Open addressing with linear probing over an <c>int</c> bucket array, keys and hashes stored
/// by slot (an integer key is compared without its hash: <see cref="IntegerKey"/>): the lookup is
/// small enough to inline into the compiled loop, and the slot order doubles as the output order.
/// Fibonacci hashing spreads keys whose hash codes are sequential (small integers, the common
/// case), which a power-of-two mask alone would not.
/// The table stays one array per field (keys, hashes, each aggregate's values) rather than one
/// row per slot: rows of a slot's <c>long</c> accumulators side by side (16 or 32 bytes on
/// 64-byte lines, the key in the row or in an 8-byte bucket) cut the cache lines a record of a
/// known key touches from four to two, yet measured no faster with a million keys and up to a
/// fifth slower with 100 k. The loop waits on the bucket's miss and on the branch between a new
/// key and a known one, which the layout does not change, and a probe is cheapest in the small
/// <c>int</c> buckets and the dense <see cref="Keys"/>, which stay in the caches where rows or
/// wider buckets do not.
/// A table may own one radix partition of the keys (<see cref="Owns"/>): the batch is then
/// aggregated by several tables at once, each over every record but only for its own keys, and
/// each slot remembers when its key was first seen, so the tables' slots can be put back in
/// first-appearance order without a merge.
/// </remarks>
internal sealed class GroupTable<TKey>
{
    private int[] _buckets;
    private int _shift;
    private int[] _hashes;
    private int _nullSlot = -1;

    // Radix partitioning: _parts is 0 for a table that owns every key.
    private int _part;
    private int _parts;
    private long _seen;
    private long[]? _firstSeen;

    /// <summary>A table for every key.</summary>
    public GroupTable(AggregateColumn[] columns)
        : this(columns, capacity: 16, part: 0, parts: 0)
    {
    }

    /// <summary>A table sized for <paramref name="capacity"/> keys that owns partition <paramref name="part"/> of <paramref name="parts"/> (0 parts: every key).</summary>
    public GroupTable(AggregateColumn[] columns, int capacity, int part, int parts)
    {
        Columns = columns;
        capacity = Math.Max(16, capacity);
        var bits = 5;
        while ((1 << bits) < capacity * 2L && bits < 30)
        {
            bits++;
        }

        _buckets = new int[1 << bits];
        _shift = 32 - bits;
        Keys = new TKey[capacity];
        _hashes = new int[capacity];
        foreach (var column in columns)
        {
            column.Grow(capacity);
        }

        _part = part;
        _parts = parts;
        _firstSeen = parts > 0 ? new long[capacity] : null;
    }

    public TKey[] Keys;

    public int Count;

    public readonly AggregateColumn[] Columns;

    /// <summary>
    /// Whether this table aggregates <paramref name="key"/>: always, unless it owns one radix
    /// partition, whose keys are those whose hash falls in it. Called once per value, in order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Owns(TKey key)
    {
        if (_parts == 0)
        {
            return true;
        }

        _seen++;

        // A multiplier other than the buckets' one, so a partition's keys still spread over all its buckets.
        var hash = key is null ? 0 : EqualityComparer<TKey>.Default.GetHashCode(key);
        return (int)(((ulong)((uint)hash * 0x85EBCA77u) * (uint)_parts) >> 32) == _part;
    }

    /// <summary>For a radix partition's table: the position among the batch's values of the first value with the key of <paramref name="slot"/>.</summary>
    public long FirstSeen(int slot) => _firstSeen![slot];

    /// <summary>The slot of <paramref name="key"/>, created if the key is new.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int FindOrAdd(TKey key, out bool isNew)
    {
        if (key is null)
        {
            return FindOrAddNull(out isNew);
        }

        var hash = EqualityComparer<TKey>.Default.GetHashCode(key);
        var buckets = _buckets;
        var mask = buckets.Length - 1;
        var bucket = (int)(((uint)hash * 2654435769u) >> _shift);
        while (true)
        {
            var entry = buckets[bucket];
            if (entry == 0)
            {
                isNew = true;
                return Insert(key, hash, bucket);
            }

            var slot = entry - 1;
            if ((IntegerKey.Is<TKey>() || _hashes[slot] == hash) && EqualityComparer<TKey>.Default.Equals(Keys[slot], key))
            {
                isNew = false;
                return slot;
            }

            bucket = (bucket + 1) & mask;
        }
    }

    /// <summary>The number of keys the table holds without growing.</summary>
    public int Capacity => Keys.Length;

    /// <summary>
    /// Empties the table for another batch, keeping its arrays, and makes it own partition
    /// <paramref name="part"/> of <paramref name="parts"/> (0 parts: every key): a table of a
    /// million keys is about 60 MB of arrays, which a new table per batch allocated (and the
    /// collector then reclaimed) every batch.
    /// </summary>
    public void Reset(int part, int parts)
    {
        Array.Clear(_buckets);
        if (RuntimeHelpers.IsReferenceOrContainsReferences<TKey>())
        {
            Array.Clear(Keys, 0, Count);
        }

        foreach (var column in Columns)
        {
            column.Clear(Count);
        }

        Count = 0;
        _nullSlot = -1;
        _seen = 0;
        _part = part;
        _parts = parts;
        _firstSeen = parts == 0 ? null : _firstSeen is { } firstSeen && firstSeen.Length >= Keys.Length ? firstSeen : new long[Keys.Length];
    }

    /// <summary>Completes the columns after the compiled loop filled them (<see cref="AggregateColumn.Seal"/>).</summary>
    public void Seal()
    {
        foreach (var column in Columns)
        {
            column.Seal(Count);
        }
    }

    /// <summary>Folds another partition's table into this one; keys new to this table go last, in their order.</summary>
    public void MergeFrom(GroupTable<TKey> other)
    {
        for (var from = 0; from < other.Count; from++)
        {
            var into = FindOrAdd(other.Keys[from], out var isNew);
            for (var c = 0; c < Columns.Length; c++)
            {
                Columns[c].Merge(into, other.Columns[c], from, isNew);
            }
        }
    }

    private int FindOrAddNull(out bool isNew)
    {
        isNew = _nullSlot < 0;
        if (isNew)
        {
            _nullSlot = AddSlot(default!, 0);
        }

        return _nullSlot;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int Insert(TKey key, int hash, int bucket)
    {
        var slot = AddSlot(key, hash);
        _buckets[bucket] = slot + 1;
        if (Count * 2 > _buckets.Length)
        {
            Rehash();
        }

        return slot;
    }

    private int AddSlot(TKey key, int hash)
    {
        var slot = Count++;
        if (slot == Keys.Length)
        {
            Array.Resize(ref Keys, Keys.Length * 2);
            Array.Resize(ref _hashes, Keys.Length);
            if (_firstSeen is not null)
            {
                Array.Resize(ref _firstSeen, Keys.Length);
            }

            foreach (var column in Columns)
            {
                column.Grow(Keys.Length);
            }
        }

        Keys[slot] = key;
        _hashes[slot] = hash;
        if (_firstSeen is not null)
        {
            _firstSeen[slot] = _seen;
        }

        return slot;
    }

    /// <summary>Doubles the buckets and re-inserts every non-null key's slot.</summary>
    private void Rehash()
    {
        var buckets = new int[_buckets.Length * 2];
        _shift--;
        var mask = buckets.Length - 1;
        for (var slot = 0; slot < Count; slot++)
        {
            if (slot == _nullSlot)
            {
                continue;
            }

            var bucket = (int)(((uint)_hashes[slot] * 2654435769u) >> _shift);
            while (buckets[bucket] != 0)
            {
                bucket = (bucket + 1) & mask;
            }

            buckets[bucket] = slot + 1;
        }

        _buckets = buckets;
    }
}
