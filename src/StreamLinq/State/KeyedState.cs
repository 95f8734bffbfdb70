namespace StreamLinq;

/// <summary>
/// The state of one key, as a <see cref="StateSpec{TKey, TValue, TState, TMapped}"/> function sees it
/// (Spark's <c>State</c>): read it, update it, or remove it.
/// </summary>
/// <typeparam name="TState">The type of the state.</typeparam>
/// <remarks>Valid only during the call it is passed to; the engine reuses it for the next key.</remarks>
public sealed class KeyedState<TState>
{
    private TState _value = default!;

    internal KeyedState()
    {
    }

    /// <summary>Whether the key has state.</summary>
    public bool Exists { get; private set; }

    /// <summary>
    /// Whether this is the key's last call because it was idle for longer than the spec's timeout:
    /// the state is removed after the call and cannot be updated.
    /// </summary>
    public bool IsTimingOut { get; private set; }

    internal bool Removed { get; private set; }

    internal bool Updated { get; private set; }

    /// <summary>The key's state.</summary>
    /// <returns>The state.</returns>
    /// <exception cref="InvalidOperationException">The key has no state (check <see cref="Exists"/>).</exception>
    public TState Get() => Exists ? _value : throw new InvalidOperationException("The key has no state; check Exists before calling Get.");

    /// <summary>The key's state, or <paramref name="fallback"/> when it has none.</summary>
    /// <param name="fallback">The value when there is no state.</param>
    /// <returns>The state or the fallback.</returns>
    public TState GetOrDefault(TState fallback) => Exists ? _value : fallback;

    /// <summary>Sets the key's state, kept for the next batches.</summary>
    /// <param name="value">The new state.</param>
    /// <exception cref="InvalidOperationException">The key is timing out, or its state was removed in this call.</exception>
    public void Update(TState value)
    {
        if (IsTimingOut)
        {
            throw new InvalidOperationException("A key that is timing out cannot be updated.");
        }

        if (Removed)
        {
            throw new InvalidOperationException("The state was removed in this call and cannot be updated.");
        }

        _value = value;
        Exists = true;
        Updated = true;
    }

    /// <summary>Removes the key's state.</summary>
    /// <exception cref="InvalidOperationException">The key is timing out (it is removed anyway) or was removed already.</exception>
    public void Remove()
    {
        if (IsTimingOut)
        {
            throw new InvalidOperationException("A key that is timing out is removed after the call; it cannot be removed again.");
        }

        if (Removed)
        {
            throw new InvalidOperationException("The state was already removed in this call.");
        }

        _value = default!;
        Exists = false;
        Removed = true;
        Updated = false;
    }

    internal void Reset(bool exists, TState value, bool timingOut)
    {
        Exists = exists;
        _value = exists ? value : default!;
        IsTimingOut = timingOut;
        Removed = false;
        Updated = false;
    }
}
