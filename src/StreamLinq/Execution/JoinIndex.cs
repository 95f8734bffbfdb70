using System.Runtime.CompilerServices;

namespace StreamLinq.Execution;

// Join keys may be null, as in LINQ's Join; a null key is never stored and never matches.
#pragma warning disable CS8714

/// <summary>
/// A hash index over the rows of one side of a join, by row position: for a key, the positions
/// of the rows with that key, ascending (<c>for (j = First(key); j &gt;= 0; j = Next(j))</c>).
/// Three int arrays and the keys, whatever the number of rows per key: building it allocates
/// nothing per row, and probing allocates nothing.
/// </summary>
internal sealed class JoinIndex<TKey>
{
    private readonly int[] _buckets; // bucket -> first row position + 1 (0: empty)
    private readonly int[] _next;    // row position -> next row position in the same bucket, or -1
    private readonly int[] _hashes;
    private readonly TKey[] _keys;
    private readonly int _shift;

    private JoinIndex(int rows)
    {
        var bits = 4;
        while ((1 << bits) < rows * 2L && bits < 30)
        {
            bits++;
        }

        _buckets = new int[1 << bits];
        _shift = 32 - bits;
        _next = new int[rows];
        _hashes = new int[rows];
        _keys = new TKey[rows];
    }

    /// <summary>Indexes <paramref name="rows"/> by <paramref name="keySelector"/>, which runs once per row, in order.</summary>
    public static JoinIndex<TKey> Build<TRow>(TRow[] rows, Func<TRow, TKey> keySelector)
    {
        var index = new JoinIndex<TKey>(rows.Length);
        var present = new bool[rows.Length];
        for (var j = 0; j < rows.Length; j++)
        {
            var key = keySelector(rows[j]);
            if (key is not null)
            {
                index._keys[j] = key;
                index._hashes[j] = EqualityComparer<TKey>.Default.GetHashCode(key);
                present[j] = true;
            }
        }

        // Inserted last to first at the head of each bucket's chain, so every chain runs in
        // ascending row order: the order LINQ's Join yields the matches in.
        for (var j = rows.Length - 1; j >= 0; j--)
        {
            if (!present[j])
            {
                continue;
            }

            var bucket = index.Bucket(index._hashes[j]);
            index._next[j] = index._buckets[bucket] - 1;
            index._buckets[bucket] = j + 1;
        }

        return index;
    }

    /// <summary>The first (lowest) position of a row with <paramref name="key"/>, or -1 (always for a null key).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int First(TKey key)
    {
        if (key is null)
        {
            return -1;
        }

        var hash = EqualityComparer<TKey>.Default.GetHashCode(key);
        return Match(_buckets[Bucket(hash)] - 1, hash, key);
    }

    /// <summary>The next position after <paramref name="position"/> whose row has the same key, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Next(int position) => Match(_next[position], _hashes[position], _keys[position]);

    private int Match(int position, int hash, TKey key)
    {
        // Rows of other keys that share the bucket are skipped.
        while (position >= 0 && (_hashes[position] != hash || !EqualityComparer<TKey>.Default.Equals(_keys[position], key)))
        {
            position = _next[position];
        }

        return position;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Bucket(int hash) => (int)(((uint)hash * 2654435769u) >> _shift);
}
#pragma warning restore CS8714
