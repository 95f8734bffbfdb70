using System.Linq.Expressions;
using StreamLinq.DStreams;

namespace StreamLinq;

public static partial class DStreamQueryable
{
    /// <summary>
    /// Keeps a state per key across batches (Spark's <c>updateStateByKey</c>), for state of a reference type.
    /// </summary>
    /// <typeparam name="TKey">The type of the keys.</typeparam>
    /// <typeparam name="TValue">The type of the values.</typeparam>
    /// <typeparam name="TState">The type of each key's state.</typeparam>
    /// <param name="source">A stream of key/value pairs.</param>
    /// <param name="update">
    /// Called each batch for every key that has state or values: receives the key's values in
    /// this batch (empty when none, in record order) and its state (null when none); returns the
    /// new state, or null to remove the key.
    /// </param>
    /// <returns>A stream whose batch is every key's state after that batch.</returns>
    /// <remarks>
    /// Across batches. The states live in a keyed state store that checkpoints write and
    /// restore (as JSON of <typeparamref name="TState"/>); after a restore the batches after the
    /// checkpoint are replayed into it. When <paramref name="source"/> has no batch at a time (a
    /// window between slides) the update does not run and this stream has no batch either.
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IDStream<KeyValuePair<TKey, TState>> UpdateStateByKey<TKey, TValue, TState>(
        this IDStream<KeyValuePair<TKey, TValue>> source,
        Expression<Func<IReadOnlyList<TValue>, TState?, TState?>> update)
        where TState : class
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(update);
        return Create<KeyValuePair<TKey, TState>>(
            source,
            new Func<IDStream<KeyValuePair<TKey, TValue>>, Expression<Func<IReadOnlyList<TValue>, TState?, TState?>>, IDStream<KeyValuePair<TKey, TState>>>(UpdateStateByKey),
            Expression.Quote(update));
    }

    /// <summary>
    /// Keeps a state per key across batches (Spark's <c>updateStateByKey</c>), for state of a value type.
    /// </summary>
    /// <typeparam name="TKey">The type of the keys.</typeparam>
    /// <typeparam name="TValue">The type of the values.</typeparam>
    /// <typeparam name="TState">The type of each key's state.</typeparam>
    /// <param name="source">A stream of key/value pairs.</param>
    /// <param name="update">
    /// Called each batch for every key that has state or values: receives the key's values in
    /// this batch (empty when none, in record order) and its state (null when none); returns the
    /// new state, or null to remove the key.
    /// </param>
    /// <returns>A stream whose batch is every key's state after that batch.</returns>
    /// <remarks>
    /// Across batches; as the reference-type overload: the states are checkpointed, replayed
    /// batches after a restore update them again, and no source batch means no update.
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IDStream<KeyValuePair<TKey, TState>> UpdateStateByKey<TKey, TValue, TState>(
        this IDStream<KeyValuePair<TKey, TValue>> source,
        Expression<Func<IReadOnlyList<TValue>, TState?, TState?>> update)
        where TState : struct
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(update);
        return Create<KeyValuePair<TKey, TState>>(
            source,
            new Func<IDStream<KeyValuePair<TKey, TValue>>, Expression<Func<IReadOnlyList<TValue>, TState?, TState?>>, IDStream<KeyValuePair<TKey, TState>>>(UpdateStateByKey),
            Expression.Quote(update));
    }

    /// <summary>
    /// Keeps a state per key across batches, for state of a reference type, the key and the value
    /// read from records of any type.
    /// </summary>
    /// <typeparam name="TSource">The type of the records: a record, a class, an anonymous type.</typeparam>
    /// <typeparam name="TKey">The type of the keys.</typeparam>
    /// <typeparam name="TValue">The type of the values.</typeparam>
    /// <typeparam name="TState">The type of each key's state.</typeparam>
    /// <param name="source">The stream.</param>
    /// <param name="keySelector">The key of a record.</param>
    /// <param name="valueSelector">The value of a record.</param>
    /// <param name="update">As the key/value pair form: a key's values in this batch and its state; returns the new state, or null to remove the key.</param>
    /// <returns>A stream whose batch is every key's state after that batch.</returns>
    /// <remarks>
    /// Across batches, as the key/value pair form it is planned as (<c>Select</c> of the pair, then
    /// <c>UpdateStateByKey(update)</c>): the states are checkpointed and replayed batches update them again.
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IDStream<KeyValuePair<TKey, TState>> UpdateStateByKey<TSource, TKey, TValue, TState>(
        this IDStream<TSource> source,
        Expression<Func<TSource, TKey>> keySelector,
        Expression<Func<TSource, TValue>> valueSelector,
        Expression<Func<IReadOnlyList<TValue>, TState?, TState?>> update)
        where TState : class
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Select(Pair(keySelector, valueSelector)).UpdateStateByKey(update);
    }

    /// <summary>
    /// Keeps a state per key across batches, for state of a value type, the key and the value read
    /// from records of any type.
    /// </summary>
    /// <typeparam name="TSource">The type of the records: a record, a class, an anonymous type.</typeparam>
    /// <typeparam name="TKey">The type of the keys.</typeparam>
    /// <typeparam name="TValue">The type of the values.</typeparam>
    /// <typeparam name="TState">The type of each key's state.</typeparam>
    /// <param name="source">The stream.</param>
    /// <param name="keySelector">The key of a record.</param>
    /// <param name="valueSelector">The value of a record.</param>
    /// <param name="update">As the key/value pair form: a key's values in this batch and its state; returns the new state, or null to remove the key.</param>
    /// <returns>A stream whose batch is every key's state after that batch.</returns>
    /// <remarks>
    /// Across batches, as the key/value pair form it is planned as (<c>Select</c> of the pair, then
    /// <c>UpdateStateByKey(update)</c>): the states are checkpointed and replayed batches update them again.
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IDStream<KeyValuePair<TKey, TState>> UpdateStateByKey<TSource, TKey, TValue, TState>(
        this IDStream<TSource> source,
        Expression<Func<TSource, TKey>> keySelector,
        Expression<Func<TSource, TValue>> valueSelector,
        Expression<Func<IReadOnlyList<TValue>, TState?, TState?>> update)
        where TState : struct
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Select(Pair(keySelector, valueSelector)).UpdateStateByKey(update);
    }

    /// <summary>
    /// Maps each record with the state of its key, kept across batches, the key and the value read
    /// from records of any type.
    /// </summary>
    /// <typeparam name="TSource">The type of the records: a record, a class, an anonymous type.</typeparam>
    /// <typeparam name="TKey">The type of the keys.</typeparam>
    /// <typeparam name="TValue">The type of the values.</typeparam>
    /// <typeparam name="TState">The type of each key's state.</typeparam>
    /// <typeparam name="TMapped">The type of the function's results.</typeparam>
    /// <param name="source">The stream.</param>
    /// <param name="keySelector">The key of a record.</param>
    /// <param name="valueSelector">The value of a record: what the function receives.</param>
    /// <param name="spec">The function, initial state and idle timeout.</param>
    /// <returns>As the key/value pair form: the function's result for each record, then one per key that timed out.</returns>
    /// <remarks>
    /// Across batches, as the key/value pair form it is planned as (<c>Select</c> of the pair, then
    /// <c>MapWithState(spec)</c>): the states are checkpointed and replayed batches update them again.
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IMapWithStateDStream<TMapped, TKey, TState> MapWithState<TSource, TKey, TValue, TState, TMapped>(
        this IDStream<TSource> source,
        Expression<Func<TSource, TKey>> keySelector,
        Expression<Func<TSource, TValue>> valueSelector,
        StateSpec<TKey, TValue, TState, TMapped> spec)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Select(Pair(keySelector, valueSelector)).MapWithState(spec);
    }

    /// <summary>
    /// Maps each record with the state of its key, kept across batches (Spark's <c>mapWithState</c>).
    /// </summary>
    /// <typeparam name="TKey">The type of the keys.</typeparam>
    /// <typeparam name="TValue">The type of the values.</typeparam>
    /// <typeparam name="TState">The type of each key's state.</typeparam>
    /// <typeparam name="TMapped">The type of the function's results.</typeparam>
    /// <param name="source">A stream of key/value pairs.</param>
    /// <param name="spec">The function, initial state and idle timeout.</param>
    /// <returns>
    /// A stream whose batch holds the function's result for each record, in order, followed by
    /// one result per key that timed out in that batch. Its state snapshots are a stream of their own.
    /// </returns>
    /// <remarks>
    /// Across batches. Only keys that receive records (or time out) are called, unlike
    /// <c>UpdateStateByKey</c>. A key times out at the first batch time more than the timeout after
    /// the last batch that brought it a record. The states and each key's last-seen time live in a
    /// keyed state store that checkpoints write and restore; replayed batches update them again.
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IMapWithStateDStream<TMapped, TKey, TState> MapWithState<TKey, TValue, TState, TMapped>(
        this IDStream<KeyValuePair<TKey, TValue>> source,
        StateSpec<TKey, TValue, TState, TMapped> spec)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(spec);
        var method = MethodOf(new Func<IDStream<KeyValuePair<TKey, TValue>>, StateSpec<TKey, TValue, TState, TMapped>, IMapWithStateDStream<TMapped, TKey, TState>>(MapWithState));
        return new MapWithStateDStream<TMapped, TKey, TState>(source.Context, Expression.Call(null, method, source.Expression, Expression.Constant(spec)));
    }

    /// <summary>The state of every key after each batch of a <c>MapWithState</c> (Spark's <c>stateSnapshots</c>).</summary>
    /// <typeparam name="TMapped">The type of the function's results.</typeparam>
    /// <typeparam name="TKey">The type of the keys.</typeparam>
    /// <typeparam name="TState">The type of each key's state.</typeparam>
    /// <param name="source">The stream MapWithState returned.</param>
    /// <returns>A stream whose batch is one pair per key with state after that batch.</returns>
    /// <remarks>Reads the same state store as the mapped stream; the function runs once per batch however many outputs read either.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    public static IDStream<KeyValuePair<TKey, TState>> StateSnapshots<TMapped, TKey, TState>(this IMapWithStateDStream<TMapped, TKey, TState> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Create<KeyValuePair<TKey, TState>>(source, new Func<IMapWithStateDStream<TMapped, TKey, TState>, IDStream<KeyValuePair<TKey, TState>>>(StateSnapshots));
    }
}
