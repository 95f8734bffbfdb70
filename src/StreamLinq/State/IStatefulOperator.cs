using System.Text.Json;

namespace StreamLinq.State;

/// <summary>
/// A plan node (or source) that keeps state across batches — window partials, keyed state,
/// watermarks, offsets — and can write it into a checkpoint and read it back. User values in it
/// (records, keys, states) go through <see cref="Codecs.StateCodecs"/>, which reads back exactly
/// what it wrote: plain data for the types the query itself declares, never delegates, never
/// type names read from the file.
/// </summary>
/// <remarks>
/// Public for connectors: a replayable source (<see cref="Sources.IOffsetRangeSource"/>) keeps its
/// position here, written into every checkpoint after the last completed batch and read back
/// before the source starts. A source that holds no user values leaves
/// <see cref="CheckpointedTypes"/> empty.
/// </remarks>
public interface IStatefulOperator
{
    /// <summary>
    /// A name for this state that stays the same across restarts and builds of the same query,
    /// and does not depend on how plans are rendered: a plan node's comes from the structure of
    /// its query subtree (<see cref="StateIds"/>, e.g. <c>Window#1f2e3d4c5b6a</c>); a source's
    /// names it in messages, its state being kept under its input id.
    /// </summary>
    string StateId { get; }

    /// <summary>
    /// The version of the state's format, written beside it in every checkpoint; bumped when the
    /// layout changes, and handed back to <see cref="ReadState"/>.
    /// </summary>
    int StateVersion { get; }

    /// <summary>
    /// The user types whose values the state holds (records, keys, states), checked at start
    /// with checkpointing: a type that cannot round-trip refuses the start instead of corrupting
    /// the state later. Offsets and engine counters need no check.
    /// </summary>
    IEnumerable<Type> CheckpointedTypes => [];

    /// <summary>
    /// How many entries the state holds now (keys for keyed state, batch partials for a window),
    /// for the <c>streamlinq.state.entries</c> gauge; null when the operator does not count them.
    /// Read from a metrics thread while batches run: an approximate, never a locked, value.
    /// </summary>
    long? StateEntries => null;

    /// <summary>The event-time watermark, in ticks since the Unix epoch, of an operator that keeps one; null otherwise or before the first record.</summary>
    long? Watermark => null;

    /// <summary>Writes the state as of the end of the last completed batch.</summary>
    /// <param name="writer">Where to write the state, as one JSON value.</param>
    void WriteState(Utf8JsonWriter writer);

    /// <summary>Replaces the state with one read from a checkpoint written at <paramref name="version"/>.</summary>
    /// <remarks>
    /// The migration hook (Reaqtor's <c>LoadState(reader, version)</c>): an operator whose layout
    /// changed reads the older versions it knows into its current form here (as
    /// <c>WindowedAggregate</c> reads version 1's narrow sums into wide columns), and passes any
    /// other version to <see cref="StateVersions.Check"/>, which refuses it by name.
    /// </remarks>
    /// <param name="state">The state, as <see cref="WriteState"/> wrote it.</param>
    /// <param name="version">The <see cref="StateVersion"/> it was written at.</param>
    /// <exception cref="InvalidDataException">The state is malformed or of an unknown version.</exception>
    void ReadState(JsonElement state, int version);
}
