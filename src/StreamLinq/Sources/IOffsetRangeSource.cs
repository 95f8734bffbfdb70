using System.Text.Json;

namespace StreamLinq.Sources;

/// <summary>
/// A replayable source whose sealed inputs are offset ranges that a checkpoint can hold: a
/// pending batch is written as its ranges and, after a restart, read again from exactly those.
/// Its position (where the next batch begins) is its <see cref="State.IStatefulOperator"/> state.
/// </summary>
internal interface IOffsetRangeSource : IBatchSource, State.IStatefulOperator
{
    /// <summary>Writes the range that <paramref name="input"/> (sealed by this source) covers.</summary>
    void WriteRange(ISealedInput input, Utf8JsonWriter writer);

    /// <summary>Rebuilds a sealed input from a range written by <see cref="WriteRange"/>.</summary>
    /// <exception cref="InvalidDataException">The range is malformed.</exception>
    ISealedInput ReadRange(JsonElement range);
}
