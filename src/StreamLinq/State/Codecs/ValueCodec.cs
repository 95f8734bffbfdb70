using System.Text.Json;

namespace StreamLinq.State.Codecs;

/// <summary>
/// Writes values of one type into a checkpoint as JSON and reads them back exactly: the same
/// fields, the same bits for floating-point values, the same scale for decimals, the same offset
/// for <see cref="DateTimeOffset"/>. Built by <see cref="StateCodecs"/>; one per type.
/// </summary>
internal abstract class ValueCodec
{
    /// <summary>The type this codec writes and reads.</summary>
    public abstract Type Type { get; }

    public abstract void WriteBoxed(Utf8JsonWriter writer, object? value);

    public abstract object? ReadBoxed(JsonElement element);
}

/// <inheritdoc />
internal abstract class ValueCodec<T> : ValueCodec
{
    public override Type Type => typeof(T);

    /// <exception cref="InvalidOperationException">The value cannot be written (a subtype of the declared type, a cycle, a comparer the format cannot name).</exception>
    public abstract void Write(Utf8JsonWriter writer, T value);

    /// <exception cref="InvalidDataException">The JSON is not a value of this type as <see cref="Write"/> writes it.</exception>
    public abstract T Read(JsonElement element);

    public override void WriteBoxed(Utf8JsonWriter writer, object? value) => Write(writer, (T)value!);

    public override object? ReadBoxed(JsonElement element) => Read(element);

    /// <summary>The value as one JSON document (a line of a write-ahead log).</summary>
    public void Serialize(Stream stream, T value)
    {
        using var writer = new Utf8JsonWriter(stream, StateCodecs.WriterOptions);
        Write(writer, value);
    }

    /// <summary>The value as one JSON document in UTF-8.</summary>
    public byte[] SerializeToUtf8Bytes(T value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, StateCodecs.WriterOptions))
        {
            Write(writer, value);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a value <see cref="SerializeToUtf8Bytes"/> wrote.</summary>
    /// <exception cref="JsonException">The bytes are not JSON (a line cut short).</exception>
    /// <exception cref="InvalidDataException">The JSON is not a value of this type (the type changed since it was written).</exception>
    public T Deserialize(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = StateCodecs.DocumentOptions.MaxDepth });
        using var document = JsonDocument.ParseValue(ref reader);
        if (reader.Read())
        {
            throw new JsonException("More than one JSON value where one record was expected.");
        }

        return Read(document.RootElement);
    }

    /// <summary>Reads a value <see cref="Serialize"/> wrote.</summary>
    /// <exception cref="JsonException">The text is not JSON (a line cut short).</exception>
    /// <exception cref="InvalidDataException">The JSON is not a value of this type.</exception>
    public T Deserialize(string json)
    {
        using var document = JsonDocument.Parse(json, StateCodecs.DocumentOptions);
        return Read(document.RootElement);
    }

    protected static InvalidDataException Mismatch(JsonElement element, string expected) =>
        new($"Expected {expected} for a value of type {TypeNames.Of(typeof(T))}; the checkpoint holds {Describe(element)}.");

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.Null => "null",
        _ => element.GetRawText() is { Length: <= 40 } text ? text : element.ValueKind.ToString().ToLowerInvariant(),
    };
}
