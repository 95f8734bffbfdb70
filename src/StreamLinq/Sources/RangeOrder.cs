namespace StreamLinq.Sources;

/// <summary>How a batch's offset range lies against the range an output committed last.</summary>
public enum RangeOrder
{
    /// <summary>The source cannot compare the ranges.</summary>
    Unknown,

    /// <summary>The batch holds no records.</summary>
    Empty,

    /// <summary>Every record of the batch is at or before the committed range's end: already committed.</summary>
    Committed,

    /// <summary>Every record of the batch is after the committed range's end: not committed yet.</summary>
    After,

    /// <summary>Some records are committed and some are not: the batch can be neither skipped nor written whole.</summary>
    Straddles,
}

/// <summary>Combines the orders of a batch's parts (streams of a source, inputs of a batch).</summary>
public static class RangeOrders
{
    /// <summary>
    /// Parts with records decide: all committed, or all after; anything else straddles. Empty
    /// parts count only when every part is empty; parts that cannot tell are ignored.
    /// </summary>
    /// <param name="parts">The order of each part.</param>
    /// <returns>The order of the whole.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="parts"/> is null.</exception>
    public static RangeOrder Combine(IEnumerable<RangeOrder> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var known = parts.Where(p => p != RangeOrder.Unknown).ToList();
        var filled = known.Where(p => p != RangeOrder.Empty).Distinct().ToList();
        return filled.Count switch
        {
            0 => known.Count > 0 ? RangeOrder.Empty : RangeOrder.Unknown,
            1 => filled[0],
            _ => RangeOrder.Straddles,
        };
    }
}
