using System.Runtime.CompilerServices;

namespace StreamLinq.Execution;

// Join keys may be null, as in LINQ's Join; a null key is never stored and never matches.
#pragma warning disable CS8714

/// <summary>
/// A hash index over the rows of one side of a join, by row position: for a key, the positions
/// of the rows with that key, ascending (<c>for (j = First(key); j &gt;= 0; j = Next(j))</c>).
/// Two int arrays and the keys, whatever the number of rows per key: building it allocates
/// nothing per row, probing allocates nothing, and <see cref="Rebuild"/> reuses the storage of
/// the previous build.
/// </summary>
internal sealed class JoinIndex<TKey>
{
    private int[] _buckets = new int[16]; // bucket -> first row position + 1 (0: empty)
    private int[] _next = [];              // row position -> next row position in the same bucket, or -1
    private int[] _hashes = [];
    private TKey[] _keys = [];
    private int _shift = 32 - 4;

    /// <summary>Indexes <paramref name="rows"/> by <paramref name="keySelector"/>, which runs once per row, in order.</summary>
    public static JoinIndex<TKey> Build<TRow>(TRow[] rows, Func<TRow, TKey> keySelector)
    {
        var keys = new TKey[rows.Length];
        for (var j = 0; j < rows.Length; j++)
        {
            keys[j] = keySelector(rows[j]);
        }

        var index = new JoinIndex<TKey>();
        index.Rebuild(keys, rows.Length);
        return index;
    }

    /// <summary>
    /// Indexes the first <paramref name="count"/> of <paramref name="keys"/> (row position →
    /// key; a null key is left out), replacing what was indexed. The index reads
    /// <paramref name="keys"/> until the next rebuild, so the caller must not change it meanwhile.
    /// </summary>
    public void Rebuild(TKey[] keys, int count)
    {
        var bits = 4;
        while ((1 << bits) < count * 2L && bits < 30)
        {
            bits++;
        }

        // Kept while within a factor of four of the size needed, so batches of varying sizes do not reallocate.
        if (_buckets.Length < 1 << bits || _buckets.Length > 4 << bits)
        {
            _buckets = new int[1 << bits];
        }
        else
        {
            Array.Clear(_buckets);
        }

        _shift = 32 - System.Numerics.BitOperations.Log2((uint)_buckets.Length);
        if (_next.Length < count)
        {
            _next = new int[count];
            _hashes = new int[count];
        }

        _keys = keys;

        // Inserted last to first at the head of each bucket's chain, so every chain runs in
        // ascending row order: the order LINQ's Join yields the matches in.
        for (var j = count - 1; j >= 0; j--)
        {
            var key = keys[j];
            if (key is null)
            {
                continue;
            }

            var hash = _hashes[j] = EqualityComparer<TKey>.Default.GetHashCode(key);
            var bucket = Bucket(hash);
            _next[j] = _buckets[bucket] - 1;
            _buckets[bucket] = j + 1;
        }
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
        while (position >= 0 && ((!IntegerKey.Is<TKey>() && _hashes[position] != hash) || !EqualityComparer<TKey>.Default.Equals(_keys[position], key)))
        {
            position = _next[position];
        }

        return position;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Bucket(int hash) => (int)(((uint)hash * 2654435769u) >> _shift);
}
#pragma warning restore CS8714
