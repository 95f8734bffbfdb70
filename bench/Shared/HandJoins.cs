namespace StreamLinq.Bench;

/// <summary>A record the hand-written joins read: its key and its value.</summary>
internal interface IKeyValue
{
    int Key { get; }

    long Value { get; }
}

/// <summary>A row of the static table the hand-written static join reads.</summary>
internal interface IWeightedRow
{
    int Id { get; }

    long Weight { get; }
}

/// <summary>
/// The key a static join looks a record up by. Implemented by a struct, so that the JIT makes one
/// loop per key with the key inlined, as a loop written for that key would be.
/// </summary>
internal interface IJoinKey<TRecord>
{
    static abstract int Of(in TRecord record);
}

/// <summary>The record's own <see cref="IKeyValue.Key"/>.</summary>
internal readonly struct RecordKey<TRecord> : IJoinKey<TRecord>
    where TRecord : struct, IKeyValue
{
    public static int Of(in TRecord record) => record.Key;
}

/// <summary>
/// The hand-written joins: the baselines of bench/StreamLinq.Benchmarks and
/// bench/StreamLinq.QueryEndToEnd, written once (this file is compiled into both). Generic over
/// structs, so each use is its own specialised loop.
/// </summary>
internal static class HandJoins
{
    /// <summary>Sum of <c>value * weight</c> over the records whose key (by <typeparamref name="TKey"/>) is a row's id.</summary>
    public static long Static<TRecord, TRow, TKey>(TRecord[] records, TRow[] table)
        where TRecord : struct, IKeyValue
        where TRow : IWeightedRow
        where TKey : struct, IJoinKey<TRecord>
    {
        // The table is read per batch, as the query does: it may change between batches.
        var weights = new Dictionary<int, long>(table.Length);
        foreach (var d in table)
        {
            weights[d.Id] = d.Weight;
        }

        return Probe<TRecord, TKey>(records, weights);
    }

    /// <summary>The same join over weights by id read once beforehand: the loop for a table that cannot change.</summary>
    public static long Probe<TRecord, TKey>(TRecord[] records, Dictionary<int, long> weights)
        where TRecord : struct, IKeyValue
        where TKey : struct, IJoinKey<TRecord>
    {
        var sum = 0L;
        foreach (var r in records)
        {
            if (weights.TryGetValue(TKey.Of(r), out var weight))
            {
                sum += r.Value * weight;
            }
        }

        return sum;
    }

    /// <summary>A hash join of two batches: a dictionary of lists built from <paramref name="right"/>, probed by <paramref name="left"/>; sum of <c>value * value</c> over the matches.</summary>
    public static long Stream<TRecord>(TRecord[] left, TRecord[] right)
        where TRecord : struct, IKeyValue
    {
        var byKey = new Dictionary<int, List<long>>();
        foreach (var r in right)
        {
            if (!byKey.TryGetValue(r.Key, out var values))
            {
                byKey[r.Key] = values = [];
            }

            values.Add(r.Value);
        }

        var sum = 0L;
        foreach (var l in left)
        {
            if (byKey.TryGetValue(l.Key, out var values))
            {
                foreach (var v in values)
                {
                    sum += l.Value * v;
                }
            }
        }

        return sum;
    }
}
