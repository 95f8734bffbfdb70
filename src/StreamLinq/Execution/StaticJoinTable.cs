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
}

/// <inheritdoc cref="StaticJoinTable"/>
internal sealed class StaticJoinTable<TKey, TInner>(IEnumerable<TInner> inner, Func<TInner, TKey> keySelector) : StaticJoinTable
{
    // Most static tables have one row per key: those need one lookup and no array. Keys with
    // several rows also have all their rows, in order, in the second map.
    private Dictionary<TKey, TInner> _first = [];
    private Dictionary<TKey, TInner[]>? _many;

    public override void Load()
    {
        var first = new Dictionary<TKey, TInner>();
        Dictionary<TKey, List<TInner>>? many = null;
        foreach (var row in inner)
        {
            var key = keySelector(row);
            if (key is null)
            {
                continue;
            }

            if (first.TryAdd(key, row))
            {
                continue;
            }

            many ??= [];
            if (!many.TryGetValue(key, out var rows))
            {
                many[key] = rows = [first[key]];
            }

            rows.Add(row);
        }

        _first = first;
        _many = many?.ToDictionary(pair => pair.Key, pair => pair.Value.ToArray());
    }

    /// <summary>
    /// How many rows have <paramref name="key"/> (none for a null key): when one, it is
    /// <paramref name="row"/>; when more, <paramref name="rows"/> holds them all in the inner
    /// collection's order.
    /// </summary>
    public int Find(TKey key, out TInner row, out TInner[]? rows)
    {
        rows = null;
        if (key is null || !_first.TryGetValue(key, out row!))
        {
            row = default!;
            return 0;
        }

        if (_many is not null && _many.TryGetValue(key, out rows))
        {
            return rows.Length;
        }

        return 1;
    }
}
#pragma warning restore CS8714
