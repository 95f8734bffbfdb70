using StreamLinq.Sources;

namespace StreamLinq.Execution;

/// <summary>
/// The build side of a join of two streams whose probe runs inside the compiled loop of the
/// aggregate above it (<c>outer.Join(inner, ...)</c> then <c>Sum</c>, <c>GroupBy</c>, ...): each
/// batch the inner rows are indexed by key, and the loop walks the outer records, looks each key
/// up and continues its chain once per match, in LINQ's order (outer records in order, each
/// followed by its inner matches in order). No pair is materialised.
/// </summary>
/// <remarks>
/// The smaller side is built. When the inner side is the smaller one (or equal), its rows are
/// indexed. When the outer side is smaller, its keys are indexed, the inner side probes them, and
/// only the inner rows with a matching key are indexed, so the outer records still drive the loop
/// (and the order) while the index holds at most the matched rows. Per batch; the index's storage
/// is reused from batch to batch; nothing is checkpointed.
/// </remarks>
internal abstract class StreamJoinTable
{
    /// <summary>The node of the inner (built) side, a child of the node whose loop probes.</summary>
    public abstract PlanNode Inner { get; }

    /// <summary>Indexes this batch's inner rows for a probe by <paramref name="outer"/>; false when the inner stream has no batch at this time.</summary>
    public abstract bool Build(BatchExecution batch, BatchRecords outer);
}

// Join keys may be null, as in LINQ's Join; a null key never matches (JoinIndex leaves it out).
#pragma warning disable CS8714

/// <inheritdoc cref="StreamJoinTable"/>
internal sealed class StreamJoinTable<TOuter, TInner, TKey>(PlanNode inner, Func<TOuter, TKey> outerKey, Func<TInner, TKey> innerKey) : StreamJoinTable
{
    private readonly JoinIndex<TKey> _outerKeys = new();
    private TKey[] _keys = [];
    private TKey[] _probeKeys = [];
    private TInner[] _matched = [];

    /// <summary>
    /// The indexed inner rows grouped by key, each key's rows together and in row order; read by
    /// the compiled loop, which walks a key's matches as one run of this array (following the
    /// index's chain instead cost five array reads per match, and the rows lay scattered).
    /// </summary>
    public TInner[] Rows = [];

    /// <summary>For the position <see cref="Index"/> gives for a key (its first row), where its run in <see cref="Rows"/> starts; read by the compiled loop.</summary>
    public int[] From = [];

    /// <summary>For the position <see cref="Index"/> gives for a key, where its run in <see cref="Rows"/> ends (exclusive); read by the compiled loop.</summary>
    public int[] To = [];

    /// <summary>The inner rows' positions by key; read by the compiled loop.</summary>
    public readonly JoinIndex<TKey> Index = new();

    public override PlanNode Inner { get; } = inner;

    public override bool Build(BatchExecution batch, BatchRecords outer)
    {
        if (batch.Evaluate(Inner) is not TInner[] rows)
        {
            return false;
        }

        if (rows.Length <= outer.Count)
        {
            Grow(ref _keys, rows.Length);
            for (var j = 0; j < rows.Length; j++)
            {
                _keys[j] = innerKey(rows[j]);
            }

            Index.Rebuild(_keys, rows.Length);
            Group(rows, rows.Length);
            return true;
        }

        Grow(ref _probeKeys, outer.Count);
        var at = 0;
        foreach (var segment in ((BatchRecords<TOuter>)outer).Segments)
        {
            foreach (var record in segment.Span)
            {
                _probeKeys[at++] = outerKey(record);
            }
        }

        _outerKeys.Rebuild(_probeKeys, outer.Count);
        var matched = 0;
        for (var j = 0; j < rows.Length; j++)
        {
            var key = innerKey(rows[j]);
            if (_outerKeys.First(key) >= 0)
            {
                Grow(ref _keys, matched + 1);
                Grow(ref _matched, matched + 1);
                _keys[matched] = key;
                _matched[matched++] = rows[j];
            }
        }

        Index.Rebuild(_keys, matched);
        Group(_matched, matched);
        return true;
    }

    /// <summary>Fills <see cref="Rows"/>, <see cref="From"/> and <see cref="To"/> from the first <paramref name="count"/> of <paramref name="rows"/>, just indexed.</summary>
    private void Group(TInner[] rows, int count)
    {
        Grow(ref Rows, count);
        Grow(ref From, count);
        Grow(ref To, count);
        var at = 0;
        for (var j = 0; j < count; j++)
        {
            // Only the first row of each key starts a run; a null key is not indexed and has none.
            if (Index.First(_keys[j]) != j)
            {
                continue;
            }

            From[j] = at;
            for (var k = j; k >= 0; k = Index.Next(k))
            {
                Rows[at++] = rows[k];
            }

            To[j] = at;
        }
    }

    private static void Grow<T>(ref T[] array, int size)
    {
        if (array.Length < size)
        {
            Array.Resize(ref array, Math.Max(size, array.Length * 2));
        }
    }
}
#pragma warning restore CS8714
