using System.Text.Json;
using StreamLinq.Distributed;

namespace StreamLinq.Orleans;

/// <summary>
/// One record of a cluster job's driver, written before each batch is dispatched (and when the
/// job starts or stops): what a driver activated anywhere needs to go on. The reducers' keyed
/// state is not in it: it names the checkpoint whose parts hold it (<see cref="CheckpointLayout"/>).
/// </summary>
/// <param name="Epoch">The epoch of the driver that wrote it; the next driver takes one more.</param>
/// <param name="Running">Whether the job was running: a driver activated by the failover probe resumes it only then.</param>
/// <param name="Completed">The last batch every reducer completed; null before the first.</param>
/// <param name="StateSequence">The record whose parts hold every reducer's state as of <paramref name="StateTime"/>; null: none yet (reducers start empty).</param>
/// <param name="StateTime">The batch that state is as of.</param>
/// <param name="Cuts">The batches after <paramref name="StateTime"/>, in order: those up to <paramref name="Completed"/> are replayed into a restored reducer for its state, a later one (in flight) is run again.</param>
/// <param name="Positions">The sources' positions after the newest cut (<see cref="DistributedPlan.WriteSourcePositions"/>).</param>
internal sealed record DriverCheckpoint(
    long Epoch,
    bool Running,
    BatchTime? Completed,
    long? StateSequence,
    BatchTime? StateTime,
    IReadOnlyList<DriverCheckpoint.KeptCut> Cuts,
    JsonElement Positions)
{
    private const int Format = 1;

    /// <summary>A batch the driver may replay: its time, offsets (<see cref="BatchCut.Offsets"/>) and, when its reducers write their state after it, the record their parts belong to.</summary>
    internal sealed record KeptCut(BatchTime Time, string Offsets, long? StateSequence);

    public static byte[] Write(DistributedPlan plan, long epoch, bool running, BatchTime? completed, long? stateSequence, BatchTime? stateTime, IEnumerable<KeptCut> cuts)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("format", Format);
            writer.WriteNumber("epoch", epoch);
            writer.WriteBoolean("running", running);
            WriteTime(writer, "completed", completed);
            if (stateSequence is { } sequence)
            {
                writer.WriteStartObject("state");
                writer.WriteNumber("sequence", sequence);
                writer.WriteNumber("time", stateTime!.Value.Ticks);
                writer.WriteEndObject();
            }

            writer.WriteStartArray("cuts");
            foreach (var cut in cuts)
            {
                writer.WriteStartObject();
                writer.WriteNumber("time", cut.Time.Ticks);
                writer.WritePropertyName("offsets");
                writer.WriteRawValue(cut.Offsets);
                if (cut.StateSequence is { } part)
                {
                    writer.WriteNumber("state", part);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WritePropertyName("positions");
            plan.WriteSourcePositions(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <exception cref="InvalidDataException">The bytes are not a driver record of a format this version reads.</exception>
    public static DriverCheckpoint Read(byte[] bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.GetProperty("format").GetInt32() is var format && format != Format)
            {
                throw new InvalidDataException($"The driver's checkpoint is of format {format}; this version reads format {Format}.");
            }

            var state = root.TryGetProperty("state", out var s) ? s : (JsonElement?)null;
            return new DriverCheckpoint(
                root.GetProperty("epoch").GetInt64(),
                root.GetProperty("running").GetBoolean(),
                ReadTime(root, "completed"),
                state?.GetProperty("sequence").GetInt64(),
                state is { } st ? new BatchTime(st.GetProperty("time").GetInt64()) : null,
                root.GetProperty("cuts").EnumerateArray().Select(c => new KeptCut(
                    new BatchTime(c.GetProperty("time").GetInt64()),
                    c.GetProperty("offsets").GetRawText(),
                    c.TryGetProperty("state", out var part) ? part.GetInt64() : null)).ToArray(),
                root.GetProperty("positions").Clone());
        }
        catch (Exception error) when (error is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"The driver's checkpoint is malformed: {error.Message}", error);
        }
    }

    private static void WriteTime(Utf8JsonWriter writer, string name, BatchTime? time)
    {
        if (time is { } t)
        {
            writer.WriteNumber(name, t.Ticks);
        }
    }

    private static BatchTime? ReadTime(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) ? new BatchTime(value.GetInt64()) : null;
}
