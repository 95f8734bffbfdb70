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
    private static readonly TInner[] None = [];
    private Dictionary<TKey, TInner[]> _rows = [];

    public override void Load()
    {
        var groups = new Dictionary<TKey, List<TInner>>();
        foreach (var row in inner)
        {
            var key = keySelector(row);
            if (key is null)
            {
                continue;
            }

            if (!groups.TryGetValue(key, out var rows))
            {
                groups[key] = rows = [];
            }

            rows.Add(row);
        }

        var loaded = new Dictionary<TKey, TInner[]>(groups.Count);
        foreach (var (key, rows) in groups)
        {
            loaded[key] = [.. rows];
        }

        _rows = loaded;
    }

    /// <summary>The rows whose key equals <paramref name="key"/>, in the inner collection's order; none for a null key.</summary>
    public TInner[] Find(TKey key) => key is not null && _rows.TryGetValue(key, out var rows) ? rows : None;
}
#pragma warning restore CS8714
