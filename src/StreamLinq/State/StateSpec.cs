namespace StreamLinq;

/// <summary>Creates the specification of a <c>MapWithState</c> (Spark's <c>StateSpec.function</c>).</summary>
public static class StateSpec
{
    /// <summary>A spec around the function called for each record (and each timing-out key).</summary>
    /// <typeparam name="TKey">The type of the keys.</typeparam>
    /// <typeparam name="TValue">The type of the values.</typeparam>
    /// <typeparam name="TState">The type of each key's state.</typeparam>
    /// <typeparam name="TMapped">The type of the function's results.</typeparam>
    /// <param name="function">
    /// Receives the key, the record's value (default for a timing-out call) and the key's state,
    /// which it may read, update or remove; returns the record emitted for this call.
    /// </param>
    /// <returns>A spec without initial state or timeout.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is null.</exception>
    public static StateSpec<TKey, TValue, TState, TMapped> Function<TKey, TValue, TState, TMapped>(Func<TKey, TValue, KeyedState<TState>, TMapped> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return new StateSpec<TKey, TValue, TState, TMapped>(function, null, null);
    }
}

/// <summary>
/// What <c>MapWithState</c> does: its function, the state keys start
/// with, and how long a key may stay idle before it times out.
/// </summary>
/// <typeparam name="TKey">The type of the keys.</typeparam>
/// <typeparam name="TValue">The type of the values.</typeparam>
/// <typeparam name="TState">The type of each key's state.</typeparam>
/// <typeparam name="TMapped">The type of the function's results.</typeparam>
public sealed class StateSpec<TKey, TValue, TState, TMapped>
{
    internal StateSpec(Func<TKey, TValue, KeyedState<TState>, TMapped> function, IReadOnlyList<KeyValuePair<TKey, TState>>? initialState, TimeSpan? timeout)
    {
        Function = function;
        InitialState = initialState;
        Timeout = timeout;
    }

    /// <summary>The function called for each record, and once for each key that times out.</summary>
    public Func<TKey, TValue, KeyedState<TState>, TMapped> Function { get; }

    /// <summary>The state the keys have before the first batch; none when null.</summary>
    public IReadOnlyList<KeyValuePair<TKey, TState>>? InitialState { get; }

    /// <summary>How long a key may receive no record before it times out; never when null.</summary>
    public TimeSpan? Timeout { get; }

    /// <summary>The same spec, with state for some keys before the first batch.</summary>
    /// <param name="initialState">The keys' initial states; copied.</param>
    /// <returns>A new spec.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="initialState"/> is null.</exception>
    public StateSpec<TKey, TValue, TState, TMapped> WithInitialState(IEnumerable<KeyValuePair<TKey, TState>> initialState)
    {
        ArgumentNullException.ThrowIfNull(initialState);
        return new(Function, initialState.ToArray(), Timeout);
    }

    /// <summary>
    /// The same spec, with an idle timeout: a key that receives no record for longer than
    /// <paramref name="timeout"/> gets one last call with <see cref="KeyedState{TState}.IsTimingOut"/>
    /// set, then its state is removed.
    /// </summary>
    /// <param name="timeout">The idle time allowed; positive.</param>
    /// <returns>A new spec.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is not positive.</exception>
    public StateSpec<TKey, TValue, TState, TMapped> WithTimeout(TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        return new(Function, InitialState, timeout);
    }
}
