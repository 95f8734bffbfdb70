using System.Runtime.CompilerServices;

namespace StreamLinq.Execution;

// Join keys may be null, as in LINQ's Join; a null key never matches and never reaches the
// dictionary, so the dictionary's notnull constraint holds at run time.
#pragma warning disable CS8714

/// <summary>
/// The static side of a join fused into a compiled loop: the inner rows by key, loaded once per
/// batch (before the batch's partitions run) from the inner collection, which may have changed
/// since the last batch. The loop looks each record's key up and runs over the matches.
/// </summary>
internal abstract class StaticJoinTable
{
    /// <summary>Re-reads the static data; called once per non-empty batch.</summary>
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
internal sealed class StaticJoinTable<TKey, TInner>(IEnumerable<TInner> inner, Func<TInner, TKey> keySelector) : StaticJoinTable
{
    // Open addressing, as in GroupTable: slot i holds a distinct key, its first row, and (only
    // for keys with several rows) all of its rows in order. Most static tables have one row per
    // key, so a probe finds the row with no array and no second lookup.
    private int[] _buckets = new int[16];
    private int _shift = 32 - 4;
    private TKey[] _keys = [];
    private int[] _hashes = [];
    private TInner[] _first = [];
    private TInner[]?[]? _many;

    public override void Load()
    {
        var keys = new List<TKey>();
        var hashes = new List<int>();
        var rows = new List<List<TInner>>();
        var index = new Dictionary<TKey, int>();
        foreach (var row in inner)
        {
            var key = keySelector(row);
            if (key is null)
            {
                continue;
            }

            if (!index.TryGetValue(key, out var slot))
            {
                index[key] = slot = keys.Count;
                keys.Add(key);
                hashes.Add(EqualityComparer<TKey>.Default.GetHashCode(key));
                rows.Add([]);
            }

            rows[slot].Add(row);
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

        var many = rows.Any(r => r.Count > 1) ? rows.Select(r => r.Count > 1 ? r.ToArray() : null).ToArray() : null;
        _keys = [.. keys];
        _hashes = [.. hashes];
        _first = [.. rows.Select(r => r[0])];
        _many = many;
        _shift = shift;
        _buckets = buckets;
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
            while (buckets[bucket] is var entry and not 0)
            {
                var slot = entry - 1;
                if (_hashes[slot] == hash && EqualityComparer<TKey>.Default.Equals(_keys[slot], key))
                {
                    row = _first[slot];
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
}
#pragma warning restore CS8714
