using System.Text.Json;
using StreamLinq.State;
using StreamLinq.State.Codecs;

namespace StreamLinq.Checkpointing;

/// <summary>Turns a writer callback into a detached <see cref="JsonElement"/> that a checkpoint can hold.</summary>
internal static class StateWriter
{
    public static JsonElement Capture(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, StateCodecs.WriterOptions))
        {
            write(writer);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory, StateCodecs.DocumentOptions);
        return document.RootElement.Clone();
    }

    public static StateEntry Capture(string id, IStatefulOperator state) =>
        new(id, state.StateVersion, Capture(state.WriteState));
}
