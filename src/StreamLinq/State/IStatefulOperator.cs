using System.Text.Json;

namespace StreamLinq.State;

/// <summary>
/// A plan node (or source) that keeps state across batches — window partials, keyed state,
/// watermarks, offsets — and can write it into a checkpoint and read it back. State is plain
/// data written with System.Text.Json for the types the query itself declares: never
/// delegates, never type names read from the file.
/// </summary>
internal interface IStatefulOperator
{
    /// <summary>
    /// A name for this state that stays the same across restarts of the same query, e.g. the
    /// operator and its position in the plan (<c>Window#2</c>).
    /// </summary>
    string StateId { get; }

    /// <summary>The version of the state's format; bumped when the layout changes.</summary>
    int StateVersion { get; }

    /// <summary>Writes the state as of the end of the last completed batch.</summary>
    void WriteState(Utf8JsonWriter writer);

    /// <summary>Replaces the state with one read from a checkpoint written at <paramref name="version"/>.</summary>
    /// <exception cref="InvalidDataException">The state is malformed or of an unknown version.</exception>
    void ReadState(JsonElement state, int version);
}
