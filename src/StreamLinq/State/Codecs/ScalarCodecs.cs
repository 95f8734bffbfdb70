using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StreamLinq.State.Codecs;

/// <summary>The codecs of the types a JSON scalar holds exactly, and the text forms of the others.</summary>
internal static class ScalarCodecs
{
    public static ValueCodec? For(Type type) => Codecs.GetValueOrDefault(type);

    private static readonly Dictionary<Type, ValueCodec> Codecs = new ValueCodec[]
    {
        new Scalar<bool>((w, v) => w.WriteBooleanValue(v), e => e.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Scalar<bool>.Expected(e, "true or false"),
        }),
        Integer<byte>((w, v) => w.WriteNumberValue(v), (JsonElement e, out byte v) => e.TryGetByte(out v)),
        Integer<sbyte>((w, v) => w.WriteNumberValue(v), (JsonElement e, out sbyte v) => e.TryGetSByte(out v)),
        Integer<short>((w, v) => w.WriteNumberValue(v), (JsonElement e, out short v) => e.TryGetInt16(out v)),
        Integer<ushort>((w, v) => w.WriteNumberValue(v), (JsonElement e, out ushort v) => e.TryGetUInt16(out v)),
        Integer<int>((w, v) => w.WriteNumberValue(v), (JsonElement e, out int v) => e.TryGetInt32(out v)),
        Integer<uint>((w, v) => w.WriteNumberValue(v), (JsonElement e, out uint v) => e.TryGetUInt32(out v)),
        Integer<long>((w, v) => w.WriteNumberValue(v), (JsonElement e, out long v) => e.TryGetInt64(out v)),
        Integer<ulong>((w, v) => w.WriteNumberValue(v), (JsonElement e, out ulong v) => e.TryGetUInt64(out v)),
        new CharCodec(),
        new StringCodec(),
        new DoubleCodec(),
        new SingleCodec(),
        new HalfCodec(),
        new DecimalCodec(),
        Text(v => v.ToString("D"), s => Guid.ParseExact(s, "D")),
        // Written in "O"; read with any ISO 8601 form, as System.Text.Json wrote them before.
        Text(v => v.ToString("O", CultureInfo.InvariantCulture), s => DateTime.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)),
        Text(v => v.ToString("O", CultureInfo.InvariantCulture), s => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)),
        Text(v => v.ToString("c", CultureInfo.InvariantCulture), s => TimeSpan.ParseExact(s, "c", CultureInfo.InvariantCulture)),
        Text(v => v.ToString("O", CultureInfo.InvariantCulture), s => DateOnly.ParseExact(s, "O", CultureInfo.InvariantCulture)),
        Text(v => v.ToString("O", CultureInfo.InvariantCulture), s => TimeOnly.ParseExact(s, "O", CultureInfo.InvariantCulture)),
        Text(v => v.ToString(CultureInfo.InvariantCulture), s => Int128.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture), numbersToo: true),
        Text(v => v.ToString(CultureInfo.InvariantCulture), s => UInt128.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture), numbersToo: true),
        Text(v => v.ToString(CultureInfo.InvariantCulture), s => BigInteger.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture), numbersToo: true),
        Text(v => v.ToString(), s => Version.Parse(s)),
        Text(v => (v.IsAbsoluteUri ? "a:" : "r:") + v.OriginalString, s => new Uri(s[2..], s.StartsWith("a:", StringComparison.Ordinal) ? UriKind.Absolute : UriKind.Relative)),
        new JsonElementCodec(),
        RawJson<JsonNode>(),
        RawJson<JsonObject>(),
        RawJson<JsonArray>(),
    }.ToDictionary(c => c.Type);

    private delegate bool TryGet<T>(JsonElement element, out T value);

    private static Scalar<T> Integer<T>(Action<Utf8JsonWriter, T> write, TryGet<T> tryGet) =>
        new(write, e => e.ValueKind == JsonValueKind.Number && tryGet(e, out var value) ? value : throw Scalar<T>.Expected(e, $"an integer in the range of {TypeNames.Of(typeof(T))}"));

    /// <summary>
    /// A type written as a string in a format that round-trips it (ISO 8601 for times). With
    /// <paramref name="numbersToo"/>, a JSON integer is read too: an accumulator widened from
    /// long to Int128 reads the numbers an older checkpoint holds.
    /// </summary>
    private static Scalar<T> Text<T>(Func<T, string> format, Func<string, T> parse, bool numbersToo = false) =>
        new((w, v) =>
        {
            if (v is null)
            {
                w.WriteNullValue();
            }
            else
            {
                w.WriteStringValue(format(v));
            }
        }, e =>
        {
            if (e.ValueKind == JsonValueKind.Null && !typeof(T).IsValueType)
            {
                return default!;
            }

            if (e.ValueKind != JsonValueKind.String && !(numbersToo && e.ValueKind == JsonValueKind.Number))
            {
                throw Scalar<T>.Expected(e, "a string");
            }

            var text = e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText();
            try
            {
                return parse(text);
            }
            catch (FormatException error)
            {
                throw new InvalidDataException($"'{text}' is not a {TypeNames.Of(typeof(T))} as a checkpoint writes it: {error.Message}", error);
            }
            catch (OverflowException error)
            {
                throw new InvalidDataException($"'{text}' is out of the range of {TypeNames.Of(typeof(T))}.", error);
            }
        });

    /// <summary>A JSON node held in state: written as the JSON it is, parsed back into a node of the same kind.</summary>
    private static Scalar<T> RawJson<T>()
        where T : JsonNode =>
        new((w, v) =>
        {
            if (v is null)
            {
                w.WriteNullValue();
            }
            else
            {
                v.WriteTo(w);
            }
        }, e => e.ValueKind == JsonValueKind.Null ? null! : JsonNode.Parse(e.GetRawText()) as T ?? throw Scalar<T>.Expected(e, $"a {typeof(T).Name}"));

    /// <summary>
    /// A <see cref="JsonElement"/> held in state (a raw payload) as <c>{ "json": element }</c>;
    /// <c>{}</c> for the default element, which holds no JSON at all.
    /// </summary>
    private sealed class JsonElementCodec : ValueCodec<JsonElement>
    {
        public override void Write(Utf8JsonWriter writer, JsonElement value)
        {
            writer.WriteStartObject();
            if (value.ValueKind != JsonValueKind.Undefined)
            {
                writer.WritePropertyName("json");
                value.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        public override JsonElement Read(JsonElement element) =>
            element.ValueKind != JsonValueKind.Object ? throw Mismatch(element, "{ \"json\": ... }")
            : element.TryGetProperty("json", out var json) ? json.Clone()
            : default;
    }

    private sealed class Scalar<T>(Action<Utf8JsonWriter, T> write, Func<JsonElement, T> read) : ValueCodec<T>
    {
        public override void Write(Utf8JsonWriter writer, T value) => write(writer, value);

        public override T Read(JsonElement element) => read(element);

        public static InvalidDataException Expected(JsonElement element, string expected) => Mismatch(element, expected);
    }

    /// <summary>A char as a one-character string; a surrogate, which no JSON string holds alone, as its code.</summary>
    private sealed class CharCodec : ValueCodec<char>
    {
        public override void Write(Utf8JsonWriter writer, char value)
        {
            if (char.IsSurrogate(value))
            {
                writer.WriteNumberValue(value);
            }
            else
            {
                writer.WriteStringValue([value]);
            }
        }

        public override char Read(JsonElement element) => element.ValueKind switch
        {
            JsonValueKind.String when element.GetString() is [var single] => single,
            JsonValueKind.Number when element.TryGetUInt16(out var code) => (char)code,
            _ => throw Mismatch(element, "a one-character string or a UTF-16 code"),
        };
    }

    /// <summary>
    /// A string as a JSON string when it is valid UTF-16; one holding a lone surrogate (which JSON
    /// writers replace with U+FFFD) as <c>{ "utf16": [code, ...] }</c>, so that it comes back the same.
    /// </summary>
    private sealed class StringCodec : ValueCodec<string>
    {
        public override void Write(Utf8JsonWriter writer, string value)
        {
            if (value is null)
            {
                writer.WriteNullValue();
            }
            else if (IsValidUtf16(value))
            {
                writer.WriteStringValue(value);
            }
            else
            {
                writer.WriteStartObject();
                writer.WriteStartArray("utf16");
                foreach (var code in value)
                {
                    writer.WriteNumberValue(code);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }
        }

        public override string Read(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Null:
                    return null!;
                case JsonValueKind.String:
                    return element.GetString()!;
                case JsonValueKind.Object when element.TryGetProperty("utf16", out var codes) && codes.ValueKind == JsonValueKind.Array:
                    var chars = new char[codes.GetArrayLength()];
                    var i = 0;
                    foreach (var code in codes.EnumerateArray())
                    {
                        chars[i++] = code.TryGetUInt16(out var c) ? (char)c : throw Mismatch(code, "a UTF-16 code");
                    }

                    return new string(chars);
                default:
                    throw Mismatch(element, "a string");
            }
        }

        private static bool IsValidUtf16(string value)
        {
            var span = value.AsSpan();
            var at = span.IndexOfAnyInRange('\uD800', '\uDFFF');
            if (at < 0)
            {
                return true;
            }

            for (var i = at; i < span.Length; i++)
            {
                if (char.IsHighSurrogate(span[i]))
                {
                    if (i + 1 >= span.Length || !char.IsLowSurrogate(span[i + 1]))
                    {
                        return false;
                    }

                    i++;
                }
                else if (char.IsLowSurrogate(span[i]))
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>
    /// Finite values as JSON numbers (shortest form that parses back to the same bits, <c>-0</c>
    /// included); infinities as <c>"Infinity"</c>/<c>"-Infinity"</c>; NaN as <c>"NaN"</c>, or with
    /// its bits (<c>"NaN:7FF8000000000001"</c>) when they are not the runtime's NaN.
    /// </summary>
    private abstract class FloatingCodec<T> : ValueCodec<T>
        where T : IBinaryFloatingPointIeee754<T>
    {
        public override void Write(Utf8JsonWriter writer, T value)
        {
            if (T.IsFinite(value))
            {
                WriteFinite(writer, value);
            }
            else if (T.IsNaN(value))
            {
                writer.WriteStringValue(Bits(value) == Bits(T.NaN) ? "NaN" : "NaN:" + Bits(value).ToString("X", CultureInfo.InvariantCulture));
            }
            else
            {
                writer.WriteStringValue(T.IsNegative(value) ? "-Infinity" : "Infinity");
            }
        }

        public override T Read(JsonElement element)
        {
            if (element.ValueKind == JsonValueKind.Number)
            {
                return ReadFinite(element) is var value && T.IsFinite(value) ? value : throw Mismatch(element, $"a finite {TypeNames.Of(typeof(T))}");
            }

            var text = element.ValueKind == JsonValueKind.String ? element.GetString()! : throw Mismatch(element, "a number, \"NaN\" or \"Infinity\"");
            return text switch
            {
                "NaN" => T.NaN,
                "Infinity" => T.PositiveInfinity,
                "-Infinity" => T.NegativeInfinity,
                _ when text.StartsWith("NaN:", StringComparison.Ordinal) && ulong.TryParse(text.AsSpan(4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var bits) && FromBits(bits) is var nan && T.IsNaN(nan) => nan,
                _ => throw Mismatch(element, "a number, \"NaN\" or \"Infinity\""),
            };
        }

        protected abstract void WriteFinite(Utf8JsonWriter writer, T value);

        /// <summary>The number, or NaN when it is not one of this type.</summary>
        protected abstract T ReadFinite(JsonElement element);

        protected abstract ulong Bits(T value);

        protected abstract T FromBits(ulong bits);
    }

    private sealed class DoubleCodec : FloatingCodec<double>
    {
        protected override void WriteFinite(Utf8JsonWriter writer, double value) => writer.WriteNumberValue(value);

        protected override double ReadFinite(JsonElement element) => element.TryGetDouble(out var value) ? value : double.NaN;

        protected override ulong Bits(double value) => BitConverter.DoubleToUInt64Bits(value);

        protected override double FromBits(ulong bits) => BitConverter.UInt64BitsToDouble(bits);
    }

    private sealed class SingleCodec : FloatingCodec<float>
    {
        protected override void WriteFinite(Utf8JsonWriter writer, float value) => writer.WriteNumberValue(value);

        protected override float ReadFinite(JsonElement element) => element.TryGetSingle(out var value) ? value : float.NaN;

        protected override ulong Bits(float value) => BitConverter.SingleToUInt32Bits(value);

        protected override float FromBits(ulong bits) => BitConverter.UInt32BitsToSingle((uint)bits);
    }

    private sealed class HalfCodec : FloatingCodec<Half>
    {
        // Every Half is a float exactly, and the float's shortest form parses back to it.
        protected override void WriteFinite(Utf8JsonWriter writer, Half value) => writer.WriteNumberValue((float)value);

        protected override Half ReadFinite(JsonElement element) => element.TryGetSingle(out var value) ? (Half)value : Half.NaN;

        protected override ulong Bits(Half value) => BitConverter.HalfToUInt16Bits(value);

        protected override Half FromBits(ulong bits) => BitConverter.UInt16BitsToHalf((ushort)bits);
    }

    /// <summary>A decimal as a JSON number with its scale (<c>1.10</c>); a negative zero keeps its sign.</summary>
    private sealed class DecimalCodec : ValueCodec<decimal>
    {
        public override void Write(Utf8JsonWriter writer, decimal value)
        {
            if (value == 0 && decimal.IsNegative(value))
            {
                // The number writer drops the sign of zero; the parser keeps it.
                writer.WriteRawValue("-" + value.ToString(CultureInfo.InvariantCulture), skipInputValidation: true);
            }
            else
            {
                writer.WriteNumberValue(value);
            }
        }

        public override decimal Read(JsonElement element) =>
            element.ValueKind == JsonValueKind.Number && element.TryGetDecimal(out var value) ? value : throw Mismatch(element, "a decimal number");
    }
}
