namespace StreamLinq.State;

/// <summary>
/// What a stateful plan node's checkpointed state is made of, recorded in every checkpoint so that
/// an upgraded query can be checked operator by operator against the state it would resume
/// (<c>Checkpointing/StateUpgrade</c>).
/// </summary>
/// <param name="Key">The key type of a keyed state; null for an unkeyed one.</param>
/// <param name="State">The type of the values kept (records, reduced values, states); null when the engine defines it (an aggregation's columns, in <paramref name="Layout"/>).</param>
/// <param name="WindowLength">A processing-time window's length: how far back the kept batches reach.</param>
/// <param name="WindowSlide">A processing-time window's slide; free to change, since every batch is kept.</param>
/// <param name="Layout">Anything else the state's layout rests on (an aggregation's columns, event-time windows), compared as text.</param>
internal readonly record struct StateShape(Type? Key, Type? State, TimeSpan? WindowLength = null, TimeSpan? WindowSlide = null, string? Layout = null);

/// <summary>A stateful plan node that can say what its state is made of.</summary>
internal interface IShapedState
{
    StateShape Shape { get; }
}
