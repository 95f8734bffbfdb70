using System.Collections;

namespace StreamLinq;

/// <summary>
/// Static data for a join that changes now and then, as a Spark broadcast variable re-broadcast
/// by the driver: the rows are replaced as a whole (<see cref="Replace"/>), each replacement is a
/// new <see cref="Version"/>, and a join reads the rows again only when the version moved. Give
/// it where a join takes static data (<c>stream.Join(table, ...)</c>).
/// </summary>
/// <typeparam name="T">The type of the rows.</typeparam>
/// <remarks>
/// <para>
/// <b>Per batch.</b> A join with a static table (<c>Join</c>) reads the version current when the
/// batch's join starts, before it joins the batch's first record, and joins every record of the
/// batch with that version, whatever replacements happen while the batch runs: a replacement
/// is seen by the next batch, never by part of a batch. The table's index is built once per
/// version and kept across batches while the version stays. <c>GroupJoin</c> and
/// <c>LeftJoin</c> with static data enumerate the table once per batch, which also gives them
/// one version.
/// </para>
/// <para>
/// <b>State.</b> The rows are not checkpointed: after a restart the query's factory makes the
/// table again, and every batch, a replayed one too, joins the version current when it runs.
/// </para>
/// <para>
/// <b>Threads.</b> Any thread may call <see cref="Replace"/> at any time; replacements are
/// ordered and each publishes its rows whole. Enumerating the table yields one version's rows.
/// </para>
/// </remarks>
public sealed class StaticTable<T> : IReadOnlyCollection<T>
{
    private readonly Lock _replacing = new();
    private Snapshot _current;

    /// <summary>Creates a table holding a copy of <paramref name="rows"/>, as version 1.</summary>
    /// <param name="rows">The first rows, in order (a copy is kept: later changes to the collection are not seen).</param>
    /// <exception cref="ArgumentNullException"><paramref name="rows"/> is null.</exception>
    public StaticTable(IEnumerable<T> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        _current = new Snapshot([.. rows], 1);
    }

    /// <summary>The version of the rows in force: 1 for the rows given to the constructor, one more for each <see cref="Replace"/>.</summary>
    public long Version => Volatile.Read(ref _current).Version;

    /// <summary>The number of rows of the version in force.</summary>
    public int Count => Volatile.Read(ref _current).Rows.Length;

    /// <summary>The rows of one version, the version in force when this is called.</summary>
    internal Snapshot Current => Volatile.Read(ref _current);

    /// <summary>Replaces every row at once with a copy of <paramref name="rows"/>, as the next version.</summary>
    /// <param name="rows">The new rows, in order (a copy is kept: later changes to the collection are not seen).</param>
    /// <returns>The new version.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="rows"/> is null.</exception>
    public long Replace(IEnumerable<T> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);

        // Copied before the lock: reading the caller's rows may take long, and must not hold up
        // another replacement.
        T[] copy = [.. rows];
        lock (_replacing)
        {
            var next = new Snapshot(copy, _current.Version + 1);
            Volatile.Write(ref _current, next);
            return next.Version;
        }
    }

    /// <summary>Enumerates the rows of the version in force when enumeration starts.</summary>
    /// <returns>An enumerator over one version's rows, in order.</returns>
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)Current.Rows).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>One version's rows, never changed once published.</summary>
    internal sealed record Snapshot(T[] Rows, long Version);
}
