using System.Runtime.CompilerServices;

namespace StreamLinq.Execution;

// Join keys may be null, as in LINQ's Join; a null key never matches and never reaches the
// dictionary, so the dictionary's notnull constraint holds at run time.
#pragma warning disable CS8714

/// <summary>How a join reads its static table, chosen when the plan is compiled from the table's type.</summary>
internal enum StaticTableReading
{
    /// <summary>Before every non-empty batch: a collection its owner may change between batches.</summary>
    EveryBatch,

    /// <summary>At the first non-empty batch, kept for the life of the plan: an immutable or frozen collection.</summary>
    Once,

    /// <summary>When its version moved: a <see cref="StaticTable{T}"/>.</summary>
    WhenReplaced,
}

/// <summary>
/// The static side of a join fused into a compiled loop: the inner rows by key, read before a
/// batch's partitions run, as the plan chose (<see cref="StaticTableReading"/>). A collection that
/// cannot change is read at the first non-empty batch and kept for the life of the plan. A
/// <see cref="StaticTable{T}"/> is read again only when its version moved, and the batch joins
/// the one version it read. Any other collection is read once per non-empty batch, since its
/// owner may have changed it since the last batch, but the index
/// is rebuilt only when the sequence of its rows' keys changed; otherwise the rows are refreshed
/// in place (a row may have changed in fields other than its key). In steady state a batch
/// allocates nothing for the table, and the loop looks each record's key up and runs over the matches.
/// </summary>
internal abstract class StaticJoinTable
{
    /// <summary>Reads the static data again if it may have changed; called once per non-empty batch, before its partitions run.</summary>
    /// <remarks>Rebuilds the index only when the rows' keys changed; otherwise refreshes the rows in place.</remarks>
    public abstract void Load();

    /// <summary>Loads every table of a loop before a batch of <paramref name="records"/> runs; an empty batch reads nothing.</summary>
    public static void LoadFor(IReadOnlyList<StaticJoinTable> tables, int records)
    {
        if (records == 0)
        {
            return;
        }

        foreach (var table in tables)
        {
            table.Load();
        }
    }
}

/// <inheritdoc cref="StaticJoinTable"/>
internal sealed class StaticJoinTable<TKey, TInner>(IEnumerable<TInner> inner, Func<TInner, TKey> keySelector, StaticTableReading reading) : StaticJoinTable
{
    // Open addressing, as in GroupTable: slot i holds a distinct key, its first row, and (only
    // for keys with several rows) all of its rows in order. Most static tables have one row per
    // key, so a probe finds the row with no array and no second lookup. A slot's key, hash and
    // first row lie together in one entry: a probe that hits reads one line of the entries, not
    // one of each of three arrays.
    private int[] _buckets = new int[16];
    private int _shift = 32 - 4;
    private Entry[] _entries = [];
    private TInner[]?[]? _many;

    // Every row read at the last load, in order, and its key; for each, its slot (-1 for a null
    // key) and its place among its slot's rows. Reused from batch to batch.
    private readonly List<TInner> _rows = [];
    private readonly List<TKey> _rowKeys = [];
    private TKey[]? _loadedKeys;
    private int[] _slotOf = [];
    private int[] _placeOf = [];

    // What was read last: whether a read-once collection was read, the version of a static table.
    private bool _read;
    private long _version;

    public override void Load()
    {
        switch (reading)
        {
            case StaticTableReading.Once when !_read:
                Read(inner);
                _read = true;
                Forget();
                break;

            case StaticTableReading.WhenReplaced:
                var snapshot = ((StaticTable<TInner>)inner).Current;
                if (snapshot.Version != _version)
                {
                    Read(snapshot.Rows);
                    _version = snapshot.Version;
                }

                break;

            case StaticTableReading.EveryBatch:
                Read(inner);
                break;
        }
    }

    private void Read(IEnumerable<TInner> rows)
    {
        _rows.Clear();
        _rowKeys.Clear();
        var loaded = _loadedKeys;
        var same = loaded is not null;
        foreach (var row in rows)
        {
            var key = keySelector(row);
            same = same && _rows.Count < loaded!.Length && EqualityComparer<TKey>.Default.Equals(key, loaded[_rows.Count]);
            _rows.Add(row);
            _rowKeys.Add(key);
        }

        if (same && _rows.Count == loaded!.Length)
        {
            Refresh();
        }
        else
        {
            Rebuild();
        }
    }

    /// <summary>A table read for good keeps its index and drops what a second read would be compared with.</summary>
    private void Forget()
    {
        _rows.Clear();
        _rows.Capacity = 0;
        _rowKeys.Clear();
        _rowKeys.Capacity = 0;
        _loadedKeys = null;
        _slotOf = _placeOf = [];
    }

    /// <summary>The same keys in the same order: the index stands, only the rows are written again.</summary>
    private void Refresh()
    {
        for (var p = 0; p < _rows.Count; p++)
        {
            var slot = _slotOf[p];
            if (slot < 0)
            {
                continue;
            }

            var place = _placeOf[p];
            if (place == 0)
            {
                _entries[slot].First = _rows[p];
            }

            if (_many?[slot] is { } all)
            {
                all[place] = _rows[p];
            }
        }
    }

    private void Rebuild()
    {
        var keys = new List<TKey>();
        var hashes = new List<int>();
        var counts = new List<int>();
        var index = new Dictionary<TKey, int>();
        var slotOf = new int[_rows.Count];
        var placeOf = new int[_rows.Count];
        for (var p = 0; p < _rows.Count; p++)
        {
            var key = _rowKeys[p];
            if (key is null)
            {
                slotOf[p] = -1;
                continue;
            }

            if (!index.TryGetValue(key, out var slot))
            {
                index[key] = slot = keys.Count;
                keys.Add(key);
                hashes.Add(EqualityComparer<TKey>.Default.GetHashCode(key));
                counts.Add(0);
            }

            slotOf[p] = slot;
            placeOf[p] = counts[slot]++;
        }

        var bits = 4;
        while ((1 << bits) < keys.Count * 2)
        {
            bits++;
        }

        var buckets = new int[1 << bits];
        var shift = 32 - bits;
        for (var slot = 0; slot < keys.Count; slot++)
        {
            var bucket = (int)(((uint)hashes[slot] * 2654435769u) >> shift);
            while (buckets[bucket] != 0)
            {
                bucket = (bucket + 1) & (buckets.Length - 1);
            }

            buckets[bucket] = slot + 1;
        }

        var entries = new Entry[keys.Count];
        for (var slot = 0; slot < entries.Length; slot++)
        {
            entries[slot] = new Entry { Key = keys[slot], Hash = hashes[slot] };
        }

        _entries = entries;
        _many = counts.Any(c => c > 1) ? [.. counts.Select(c => c > 1 ? new TInner[c] : null)] : null;
        _slotOf = slotOf;
        _placeOf = placeOf;
        _loadedKeys = [.. _rowKeys];
        _shift = shift;
        _buckets = buckets;
        Refresh();
    }

    /// <summary>
    /// How many rows have <paramref name="key"/> (none for a null key): when one, it is
    /// <paramref name="row"/>; when more, <paramref name="rows"/> holds them all in the inner
    /// collection's order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(TKey key, out TInner row, out TInner[]? rows)
    {
        rows = null;
        if (key is not null)
        {
            var hash = EqualityComparer<TKey>.Default.GetHashCode(key);
            var buckets = _buckets;
            var bucket = (int)(((uint)hash * 2654435769u) >> _shift);
            while (buckets[bucket] is var found and not 0)
            {
                var slot = found - 1;
                ref var entry = ref _entries[slot];
                if ((IntegerKey.Is<TKey>() || entry.Hash == hash) && EqualityComparer<TKey>.Default.Equals(entry.Key, key))
                {
                    row = entry.First;
                    if (_many is { } many && many[slot] is { } all)
                    {
                        rows = all;
                        return all.Length;
                    }

                    return 1;
                }

                bucket = (bucket + 1) & (buckets.Length - 1);
            }
        }

        row = default!;
        return 0;
    }

    /// <summary>A slot: its key, the key's hash and the key's first row.</summary>
    private struct Entry
    {
        public TKey Key;
        public int Hash;
        public TInner First;
    }
}
#pragma warning restore CS8714
