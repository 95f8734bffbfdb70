using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamLinq.Checkpointing;

/// <summary>
/// The body of one checkpoint: plain data only. Every piece of state is matched back to the
/// live query by its id (input position, operator state id), never by a type name in the file.
/// </summary>
/// <param name="Sequence">Increases with every checkpoint a context writes; orders the files.</param>
/// <param name="BatchIntervalTicks">The batch interval in force when it was written (changed at run time or not): the one a restart resumes with.</param>
/// <param name="LastCompletedBatch">The last batch whose outputs all ran, in ticks; null before the first.</param>
/// <param name="Fingerprint">The fingerprint of the queries that wrote it.</param>
/// <param name="Sources">Each stateful source's position: where its next batch begins.</param>
/// <param name="Pending">Batches sealed but not completed, oldest first, with the range each input read.</param>
/// <param name="Operators">The state of every stateful plan node as of <paramref name="LastCompletedBatch"/>.</param>
/// <param name="ConfiguredIntervalTicks">The interval the context that wrote it was created with; null in checkpoints from before run-time changes, where it is <paramref name="BatchIntervalTicks"/>.</param>
/// <param name="Schema">What the state is made of, for upgrades; null in checkpoints written before upgrades kept state.</param>
internal sealed record CheckpointData(
    long Sequence,
    long BatchIntervalTicks,
    long? LastCompletedBatch,
    QueryFingerprint Fingerprint,
    IReadOnlyList<StateEntry> Sources,
    IReadOnlyList<PendingBatch> Pending,
    IReadOnlyList<StateEntry> Operators,
    long? ConfiguredIntervalTicks = null,
    QuerySchema? Schema = null)
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        RespectNullableAnnotations = true,

        // Operator state nests user values (StateCodecs.MaxDepth) inside the checkpoint's own levels.
        MaxDepth = State.Codecs.StateCodecs.DocumentOptions.MaxDepth,
    };

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <exception cref="InvalidDataException">The JSON does not have the checkpoint's shape.</exception>
    public static CheckpointData Deserialize(byte[] body)
    {
        try
        {
            return JsonSerializer.Deserialize<CheckpointData>(body, Json) ?? throw new InvalidDataException("The checkpoint body is null.");
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"The checkpoint body is malformed: {error.Message}", error);
        }
    }
}

/// <summary>The state of one source or operator.</summary>
/// <param name="Id">The input id (sources) or <c>StateId</c> (operators).</param>
/// <param name="Version">The state's format version, handed back to <c>ReadState</c>.</param>
/// <param name="State">The state as the operator wrote it.</param>
internal sealed record StateEntry(string Id, int Version, JsonElement State);

/// <summary>A batch sealed before the checkpoint and not completed when it was written.</summary>
/// <param name="Time">The batch time in ticks.</param>
/// <param name="DoneOutputs">Outputs (by index) that must not run again for this batch: the at-most-once ones, committed before they ran.</param>
/// <param name="Inputs">Each input's offset range; null for an input that cannot replay.</param>
/// <param name="IntervalTicks">The batch interval it was cut under; null in checkpoints from before run-time changes.</param>
internal sealed record PendingBatch(long Time, IReadOnlyList<int> DoneOutputs, IReadOnlyList<JsonElement?> Inputs, long? IntervalTicks = null);
