namespace StreamLinq;

/// <summary>
/// The stream <c>MapWithState</c> returns: the function's results, and
/// through <see cref="DStreamQueryable.StateSnapshots"/> the state of every key after each batch.
/// </summary>
/// <typeparam name="TMapped">The type of the function's results.</typeparam>
/// <typeparam name="TKey">The type of the keys.</typeparam>
/// <typeparam name="TState">The type of each key's state.</typeparam>
public interface IMapWithStateDStream<out TMapped, TKey, TState> : IDStream<TMapped>
{
}
