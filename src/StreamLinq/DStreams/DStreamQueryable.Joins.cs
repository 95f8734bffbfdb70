using System.Linq.Expressions;

namespace StreamLinq;

public static partial class DStreamQueryable
{
    /// <summary>Joins each batch of this stream with the batch of the same time of another stream, by key.</summary>
    /// <typeparam name="TOuter">The type of this stream's records.</typeparam>
    /// <typeparam name="TInner">The type of the other stream's records.</typeparam>
    /// <typeparam name="TKey">The type of the join key.</typeparam>
    /// <typeparam name="TResult">The type of the joined records.</typeparam>
    /// <param name="outer">This stream.</param>
    /// <param name="inner">The other stream, of the same context.</param>
    /// <param name="outerKeySelector">Extracts the key of a record of this stream.</param>
    /// <param name="innerKeySelector">Extracts the key of a record of the other stream.</param>
    /// <param name="resultSelector">Combines a matching pair.</param>
    /// <returns>A stream of one result per matching pair in each batch (an inner equi-join).</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The streams belong to different contexts.</exception>
    public static IDStream<TResult> Join<TOuter, TInner, TKey, TResult>(
        this IDStream<TOuter> outer,
        IDStream<TInner> inner,
        Expression<Func<TOuter, TKey>> outerKeySelector,
        Expression<Func<TInner, TKey>> innerKeySelector,
        Expression<Func<TOuter, TInner, TResult>> resultSelector)
    {
        ArgumentNullException.ThrowIfNull(outer);
        ArgumentNullException.ThrowIfNull(outerKeySelector);
        ArgumentNullException.ThrowIfNull(innerKeySelector);
        ArgumentNullException.ThrowIfNull(resultSelector);
        return Create<TResult>(
            outer,
            new Func<IDStream<TOuter>, IDStream<TInner>, Expression<Func<TOuter, TKey>>, Expression<Func<TInner, TKey>>, Expression<Func<TOuter, TInner, TResult>>, IDStream<TResult>>(Join),
            Other(outer, inner, nameof(inner)),
            Expression.Quote(outerKeySelector),
            Expression.Quote(innerKeySelector),
            Expression.Quote(resultSelector));
    }

    /// <summary>Joins each batch of the stream with static data, by key.</summary>
    /// <remarks>
    /// <para>
    /// Per batch: each record of a batch is paired with the matching rows, in the order of the
    /// static data, as LINQ's <c>Join</c>; a null key matches nothing. No state is kept across
    /// batches but the index of the static rows by key, which is not checkpointed: after a
    /// restart, and for a replayed batch, the static data is read as it is then.
    /// </para>
    /// <para>
    /// When the static data is read depends on whether it can change. A collection that cannot
    /// (recognised by its run-time type when the plan is compiled: System.Collections.Immutable's
    /// <c>ImmutableArray</c>, <c>ImmutableList</c>, <c>ImmutableHashSet</c>, <c>ImmutableSortedSet</c>,
    /// <c>ImmutableQueue</c>, <c>ImmutableStack</c>, <c>ImmutableDictionary</c> and
    /// <c>ImmutableSortedDictionary</c>, the <c>Keys</c> and <c>Values</c> of an
    /// <c>ImmutableDictionary</c>, a <c>FrozenSet</c> or <c>FrozenDictionary</c> and the latter's
    /// <c>Keys</c> and <c>Values</c>) is read once, at the first batch with records, and its index
    /// kept for the life of the plan: <paramref name="innerKeySelector"/> runs once per row then, so
    /// it should depend on the row alone. A <see cref="StaticTable{T}"/> is read again only when
    /// its version moved, and a batch joins the one version in force when it starts joining. Any
    /// other collection (an array, a <see cref="List{T}"/>, a queryable) is enumerated again before
    /// every batch with records, as LINQ would enumerate it, so a change made between batches is
    /// seen by the next one; its index is rebuilt only when its rows' keys changed.
    /// </para>
    /// </remarks>
    /// <typeparam name="TOuter">The type of the stream's records.</typeparam>
    /// <typeparam name="TInner">The type of the static records.</typeparam>
    /// <typeparam name="TKey">The type of the join key.</typeparam>
    /// <typeparam name="TResult">The type of the joined records.</typeparam>
    /// <param name="outer">The stream.</param>
    /// <param name="inner">
    /// Static data: an immutable collection (read once), a <see cref="StaticTable{T}"/> (read once
    /// per version), any other collection, or an <see cref="IQueryable{T}"/> over a table (both
    /// enumerated again for every batch, so their current contents are joined). An in-memory query
    /// (<c>list.AsQueryable().Where(...)</c>) is compiled once and run at every batch.
    /// </param>
    /// <param name="outerKeySelector">Extracts the key of a stream record.</param>
    /// <param name="innerKeySelector">Extracts the key of a static record.</param>
    /// <param name="resultSelector">Combines a matching pair.</param>
    /// <returns>A stream of one result per matching pair in each batch.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="inner"/> is a default <c>ImmutableArray</c>, which holds no array.</exception>
    public static IDStream<TResult> Join<TOuter, TInner, TKey, TResult>(
        this IDStream<TOuter> outer,
        IEnumerable<TInner> inner,
        Expression<Func<TOuter, TKey>> outerKeySelector,
        Expression<Func<TInner, TKey>> innerKeySelector,
        Expression<Func<TOuter, TInner, TResult>> resultSelector)
    {
        ArgumentNullException.ThrowIfNull(outer);
        ArgumentNullException.ThrowIfNull(outerKeySelector);
        ArgumentNullException.ThrowIfNull(innerKeySelector);
        ArgumentNullException.ThrowIfNull(resultSelector);
        return Create<TResult>(
            outer,
            new Func<IDStream<TOuter>, IEnumerable<TInner>, Expression<Func<TOuter, TKey>>, Expression<Func<TInner, TKey>>, Expression<Func<TOuter, TInner, TResult>>, IDStream<TResult>>(Join),
            Static(inner, nameof(inner)),
            Expression.Quote(outerKeySelector),
            Expression.Quote(innerKeySelector),
            Expression.Quote(resultSelector));
    }

    /// <summary>Correlates each record of a batch with the matching records of the other stream's batch of the same time.</summary>
    /// <typeparam name="TOuter">The type of this stream's records.</typeparam>
    /// <typeparam name="TInner">The type of the other stream's records.</typeparam>
    /// <typeparam name="TKey">The type of the join key.</typeparam>
    /// <typeparam name="TResult">The type of the results.</typeparam>
    /// <param name="outer">This stream.</param>
    /// <param name="inner">The other stream, of the same context.</param>
    /// <param name="outerKeySelector">Extracts the key of a record of this stream.</param>
    /// <param name="innerKeySelector">Extracts the key of a record of the other stream.</param>
    /// <param name="resultSelector">Combines a record with all its matches (possibly none).</param>
    /// <returns>A stream of one result per record of this stream.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The streams belong to different contexts.</exception>
    public static IDStream<TResult> GroupJoin<TOuter, TInner, TKey, TResult>(
        this IDStream<TOuter> outer,
        IDStream<TInner> inner,
        Expression<Func<TOuter, TKey>> outerKeySelector,
        Expression<Func<TInner, TKey>> innerKeySelector,
        Expression<Func<TOuter, IEnumerable<TInner>, TResult>> resultSelector)
    {
        ArgumentNullException.ThrowIfNull(outer);
        ArgumentNullException.ThrowIfNull(outerKeySelector);
        ArgumentNullException.ThrowIfNull(innerKeySelector);
        ArgumentNullException.ThrowIfNull(resultSelector);
        return Create<TResult>(
            outer,
            new Func<IDStream<TOuter>, IDStream<TInner>, Expression<Func<TOuter, TKey>>, Expression<Func<TInner, TKey>>, Expression<Func<TOuter, IEnumerable<TInner>, TResult>>, IDStream<TResult>>(GroupJoin),
            Other(outer, inner, nameof(inner)),
            Expression.Quote(outerKeySelector),
            Expression.Quote(innerKeySelector),
            Expression.Quote(resultSelector));
    }

    /// <summary>Correlates each record of a batch with the matching records of static data.</summary>
    /// <typeparam name="TOuter">The type of the stream's records.</typeparam>
    /// <typeparam name="TInner">The type of the static records.</typeparam>
    /// <typeparam name="TKey">The type of the join key.</typeparam>
    /// <typeparam name="TResult">The type of the results.</typeparam>
    /// <param name="outer">The stream.</param>
    /// <param name="inner">
    /// Static data, enumerated again for every batch (a <see cref="StaticTable{T}"/> gives each
    /// enumeration one version's rows).
    /// </param>
    /// <param name="outerKeySelector">Extracts the key of a stream record.</param>
    /// <param name="innerKeySelector">Extracts the key of a static record.</param>
    /// <param name="resultSelector">Combines a record with all its matches (possibly none).</param>
    /// <returns>A stream of one result per stream record.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="inner"/> is a default <c>ImmutableArray</c>, which holds no array.</exception>
    public static IDStream<TResult> GroupJoin<TOuter, TInner, TKey, TResult>(
        this IDStream<TOuter> outer,
        IEnumerable<TInner> inner,
        Expression<Func<TOuter, TKey>> outerKeySelector,
        Expression<Func<TInner, TKey>> innerKeySelector,
        Expression<Func<TOuter, IEnumerable<TInner>, TResult>> resultSelector)
    {
        ArgumentNullException.ThrowIfNull(outer);
        ArgumentNullException.ThrowIfNull(outerKeySelector);
        ArgumentNullException.ThrowIfNull(innerKeySelector);
        ArgumentNullException.ThrowIfNull(resultSelector);
        return Create<TResult>(
            outer,
            new Func<IDStream<TOuter>, IEnumerable<TInner>, Expression<Func<TOuter, TKey>>, Expression<Func<TInner, TKey>>, Expression<Func<TOuter, IEnumerable<TInner>, TResult>>, IDStream<TResult>>(GroupJoin),
            Static(inner, nameof(inner)),
            Expression.Quote(outerKeySelector),
            Expression.Quote(innerKeySelector),
            Expression.Quote(resultSelector));
    }

    /// <summary>
    /// Left outer join with the other stream's batch of the same time: every record of this
    /// stream appears, paired with each match or, when it has none, with <c>default</c>.
    /// </summary>
    /// <typeparam name="TOuter">The type of this stream's records.</typeparam>
    /// <typeparam name="TInner">The type of the other stream's records.</typeparam>
    /// <typeparam name="TKey">The type of the join key.</typeparam>
    /// <typeparam name="TResult">The type of the joined records.</typeparam>
    /// <param name="outer">This stream.</param>
    /// <param name="inner">The other stream, of the same context.</param>
    /// <param name="outerKeySelector">Extracts the key of a record of this stream.</param>
    /// <param name="innerKeySelector">Extracts the key of a record of the other stream.</param>
    /// <param name="resultSelector">Combines a record with a match, or with <c>default</c>.</param>
    /// <returns>A stream of the joined records.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The streams belong to different contexts.</exception>
    public static IDStream<TResult> LeftJoin<TOuter, TInner, TKey, TResult>(
        this IDStream<TOuter> outer,
        IDStream<TInner> inner,
        Expression<Func<TOuter, TKey>> outerKeySelector,
        Expression<Func<TInner, TKey>> innerKeySelector,
        Expression<Func<TOuter, TInner?, TResult>> resultSelector)
    {
        ArgumentNullException.ThrowIfNull(outer);
        ArgumentNullException.ThrowIfNull(outerKeySelector);
        ArgumentNullException.ThrowIfNull(innerKeySelector);
        ArgumentNullException.ThrowIfNull(resultSelector);
        return Create<TResult>(
            outer,
            new Func<IDStream<TOuter>, IDStream<TInner>, Expression<Func<TOuter, TKey>>, Expression<Func<TInner, TKey>>, Expression<Func<TOuter, TInner?, TResult>>, IDStream<TResult>>(LeftJoin),
            Other(outer, inner, nameof(inner)),
            Expression.Quote(outerKeySelector),
            Expression.Quote(innerKeySelector),
            Expression.Quote(resultSelector));
    }

    /// <summary>
    /// Left outer join with static data: every record of the stream appears, paired with each
    /// match or, when it has none, with <c>default</c>.
    /// </summary>
    /// <typeparam name="TOuter">The type of the stream's records.</typeparam>
    /// <typeparam name="TInner">The type of the static records.</typeparam>
    /// <typeparam name="TKey">The type of the join key.</typeparam>
    /// <typeparam name="TResult">The type of the joined records.</typeparam>
    /// <param name="outer">The stream.</param>
    /// <param name="inner">
    /// Static data, enumerated again for every batch (a <see cref="StaticTable{T}"/> gives each
    /// enumeration one version's rows).
    /// </param>
    /// <param name="outerKeySelector">Extracts the key of a stream record.</param>
    /// <param name="innerKeySelector">Extracts the key of a static record.</param>
    /// <param name="resultSelector">Combines a record with a match, or with <c>default</c>.</param>
    /// <returns>A stream of the joined records.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="inner"/> is a default <c>ImmutableArray</c>, which holds no array.</exception>
    public static IDStream<TResult> LeftJoin<TOuter, TInner, TKey, TResult>(
        this IDStream<TOuter> outer,
        IEnumerable<TInner> inner,
        Expression<Func<TOuter, TKey>> outerKeySelector,
        Expression<Func<TInner, TKey>> innerKeySelector,
        Expression<Func<TOuter, TInner?, TResult>> resultSelector)
    {
        ArgumentNullException.ThrowIfNull(outer);
        ArgumentNullException.ThrowIfNull(outerKeySelector);
        ArgumentNullException.ThrowIfNull(innerKeySelector);
        ArgumentNullException.ThrowIfNull(resultSelector);
        return Create<TResult>(
            outer,
            new Func<IDStream<TOuter>, IEnumerable<TInner>, Expression<Func<TOuter, TKey>>, Expression<Func<TInner, TKey>>, Expression<Func<TOuter, TInner?, TResult>>, IDStream<TResult>>(LeftJoin),
            Static(inner, nameof(inner)),
            Expression.Quote(outerKeySelector),
            Expression.Quote(innerKeySelector),
            Expression.Quote(resultSelector));
    }
}
