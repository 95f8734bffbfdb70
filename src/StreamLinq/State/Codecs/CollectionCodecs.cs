using System.Runtime.CompilerServices;
using System.Text.Json;

namespace StreamLinq.State.Codecs;

/// <summary><c>T?</c> of a value type: <c>null</c> or the value.</summary>
internal sealed class NullableCodec<T>(ValueCodec<T> codec) : ValueCodec<T?>
    where T : struct
{
    public override void Write(Utf8JsonWriter writer, T? value)
    {
        if (value is { } present)
        {
            codec.Write(writer, present);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    public override T? Read(JsonElement element) => element.ValueKind == JsonValueKind.Null ? null : codec.Read(element);
}

/// <summary>An enum as its underlying number, so that undefined values and flag combinations come back too.</summary>
internal sealed class EnumCodec<TEnum, TUnderlying>(ValueCodec<TUnderlying> codec) : ValueCodec<TEnum>
    where TEnum : struct, Enum
    where TUnderlying : struct
{
    public override void Write(Utf8JsonWriter writer, TEnum value) => codec.Write(writer, Unsafe.As<TEnum, TUnderlying>(ref value));

    public override TEnum Read(JsonElement element)
    {
        var underlying = codec.Read(element);
        return Unsafe.As<TUnderlying, TEnum>(ref underlying);
    }
}

/// <summary>The JSON array form shared by every sequence.</summary>
internal static class Sequences
{
    public static void Write<T>(Utf8JsonWriter writer, ValueCodec<T> codec, IEnumerable<T> items, Type owner)
    {
        StateCodecs.CheckDepth(writer, owner);
        writer.WriteStartArray();
        foreach (var item in items)
        {
            codec.Write(writer, item);
        }

        writer.WriteEndArray();
    }

    public static T[] Read<T>(JsonElement element, ValueCodec<T> codec, Type owner)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"Expected an array for a {TypeNames.Of(owner)}; the checkpoint holds {element.ValueKind.ToString().ToLowerInvariant()}.");
        }

        var items = new T[element.GetArrayLength()];
        var i = 0;
        foreach (var item in element.EnumerateArray())
        {
            try
            {
                items[i] = codec.Read(item);
            }
            catch (InvalidDataException error)
            {
                throw new InvalidDataException($"{TypeNames.Of(owner)}[{i}]: {error.Message}", error);
            }

            i++;
        }

        return items;
    }
}

/// <summary>Arrays, and the prefix of one (the used slots of an aggregate column).</summary>
internal abstract class ArrayCodec
{
    public abstract void WritePrefix(Utf8JsonWriter writer, Array array, int count);

    public abstract Array ReadArray(JsonElement element);
}

/// <summary>An array codec's non-generic view.</summary>
internal interface IUntypedArray
{
    ArrayCodec Untyped { get; }
}

/// <summary>An array as a JSON array.</summary>
internal sealed class ArrayCodec<T>(ValueCodec<T> elements) : ValueCodec<T[]>, IUntypedArray
{
    /// <summary>The non-generic view, for aggregate columns whose element type is known at run time only.</summary>
    public ArrayCodec Untyped => field ??= new Prefix(this);

    public override void Write(Utf8JsonWriter writer, T[] value)
    {
        if (value is null)
        {
            writer.WriteNullValue();
            return;
        }

        Sequences.Write(writer, elements, value, typeof(T[]));
    }

    public override T[] Read(JsonElement element) =>
        element.ValueKind == JsonValueKind.Null ? null! : Sequences.Read(element, elements, typeof(T[]));

    private sealed class Prefix(ArrayCodec<T> codec) : ArrayCodec
    {
        public override void WritePrefix(Utf8JsonWriter writer, Array array, int count) =>
            Sequences.Write(writer, codec.Elements, new ArraySegment<T>((T[])array, 0, count), typeof(T[]));

        public override Array ReadArray(JsonElement element) => codec.Read(element) ?? [];
    }

    private ValueCodec<T> Elements => elements;
}

/// <summary><see cref="List{T}"/> as a JSON array.</summary>
internal sealed class ListCodec<T>(ValueCodec<T> element) : ValueCodec<List<T>>
{
    public override void Write(Utf8JsonWriter writer, List<T> value)
    {
        if (value is null)
        {
            writer.WriteNullValue();
            return;
        }

        Sequences.Write(writer, element, value, typeof(List<T>));
    }

    public override List<T> Read(JsonElement json) =>
        json.ValueKind == JsonValueKind.Null ? null! : [.. Sequences.Read(json, element, typeof(List<T>))];
}

/// <summary>
/// A sequence declared as an interface (<c>IReadOnlyList&lt;T&gt;</c>, <c>IEnumerable&lt;T&gt;</c>, ...):
/// a <see cref="List{T}"/> comes back as a list (<c>{ "list": [...] }</c>), any other sequence as
/// an array of its items.
/// </summary>
internal sealed class SequenceInterfaceCodec<TInterface, T>(ValueCodec<T> element) : ValueCodec<TInterface>
    where TInterface : class, IEnumerable<T>
{
    public override void Write(Utf8JsonWriter writer, TInterface value)
    {
        if (value is null)
        {
            writer.WriteNullValue();
            return;
        }

        if (value is List<T> list && typeof(TInterface).IsAssignableFrom(typeof(List<T>)))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("list");
            Sequences.Write(writer, element, list, typeof(TInterface));
            writer.WriteEndObject();
        }
        else
        {
            Sequences.Write(writer, element, value, typeof(TInterface));
        }
    }

    public override TInterface Read(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.Null => null!,
        JsonValueKind.Object when json.TryGetProperty("list", out var items) => (TInterface)(object)new List<T>(Sequences.Read(items, element, typeof(TInterface))),
        _ => (TInterface)(object)Sequences.Read(json, element, typeof(TInterface)),
    };
}

/// <summary>
/// The comparers a hashed collection may be rebuilt with: the default one, and StringComparer's
/// ordinal and invariant ones, by name. Any other comparer is code the checkpoint cannot hold.
/// </summary>
internal static class Comparers
{
    private static readonly (string Name, object Comparer)[] Named =
    [
        ("Ordinal", StringComparer.Ordinal),
        ("OrdinalIgnoreCase", StringComparer.OrdinalIgnoreCase),
        ("InvariantCulture", StringComparer.InvariantCulture),
        ("InvariantCultureIgnoreCase", StringComparer.InvariantCultureIgnoreCase),
    ];

    /// <summary>Null for the default comparer; the name of a known one.</summary>
    /// <exception cref="InvalidOperationException">The comparer is neither.</exception>
    public static string? NameOf<T>(IEqualityComparer<T> comparer, Type owner)
    {
        if (ReferenceEquals(comparer, EqualityComparer<T>.Default))
        {
            return null;
        }

        foreach (var (name, known) in Named)
        {
            if (ReferenceEquals(comparer, known))
            {
                return name;
            }
        }

        throw new InvalidOperationException(
            $"A {TypeNames.Of(owner)} with the comparer {TypeNames.Of(comparer.GetType())} cannot be checkpointed: only the default comparer and StringComparer's ordinal and invariant ones can be restored.");
    }

    /// <exception cref="InvalidDataException">The name is not one of <see cref="NameOf"/>'s, or not for these keys.</exception>
    public static IEqualityComparer<T> Named_<T>(JsonElement name, Type owner)
    {
        foreach (var (known, comparer) in Named)
        {
            if (name.ValueKind == JsonValueKind.String && name.ValueEquals(known) && comparer is IEqualityComparer<T> typed)
            {
                return typed;
            }
        }

        throw new InvalidDataException($"The checkpoint names a comparer {name.GetRawText()} this build cannot give a {TypeNames.Of(owner)}.");
    }
}

/// <summary>
/// <see cref="HashSet{T}"/> as a JSON array of its items in enumeration order; with a named
/// comparer, <c>{ "comparer": name, "items": [...] }</c>.
/// </summary>
internal sealed class HashSetCodec<T>(ValueCodec<T> element) : ValueCodec<HashSet<T>>
{
    public override void Write(Utf8JsonWriter writer, HashSet<T> value)
    {
        if (value is null)
        {
            writer.WriteNullValue();
            return;
        }

        if (Comparers.NameOf(value.Comparer, typeof(HashSet<T>)) is { } comparer)
        {
            writer.WriteStartObject();
            writer.WriteString("comparer", comparer);
            writer.WritePropertyName("items");
            Sequences.Write(writer, element, value, typeof(HashSet<T>));
            writer.WriteEndObject();
        }
        else
        {
            Sequences.Write(writer, element, value, typeof(HashSet<T>));
        }
    }

    public override HashSet<T> Read(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.Null => null!,
        JsonValueKind.Object when json.TryGetProperty("comparer", out var name) && json.TryGetProperty("items", out var items) =>
            new HashSet<T>(Sequences.Read(items, element, typeof(HashSet<T>)), Comparers.Named_<T>(name, typeof(HashSet<T>))),
        _ => [.. Sequences.Read(json, element, typeof(HashSet<T>))],
    };
}

/// <summary>
/// <see cref="Dictionary{TKey, TValue}"/> as a JSON array of <c>[key, value]</c> pairs in
/// enumeration order (keys of any type, not only strings); with a named comparer,
/// <c>{ "comparer": name, "entries": [...] }</c>.
/// </summary>
internal sealed class DictionaryCodec<TKey, TValue>(ValueCodec<TKey> keys, ValueCodec<TValue> values) : ValueCodec<Dictionary<TKey, TValue>>
    where TKey : notnull
{
    public override void Write(Utf8JsonWriter writer, Dictionary<TKey, TValue> value)
    {
        if (value is null)
        {
            writer.WriteNullValue();
            return;
        }

        if (Comparers.NameOf(value.Comparer, typeof(Dictionary<TKey, TValue>)) is { } comparer)
        {
            writer.WriteStartObject();
            writer.WriteString("comparer", comparer);
            writer.WritePropertyName("entries");
            WriteEntries(writer, value);
            writer.WriteEndObject();
        }
        else
        {
            WriteEntries(writer, value);
        }
    }

    public override Dictionary<TKey, TValue> Read(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.Null => null!,
        JsonValueKind.Object when json.TryGetProperty("comparer", out var name) && json.TryGetProperty("entries", out var entries) =>
            ReadEntries(entries, new Dictionary<TKey, TValue>(Comparers.Named_<TKey>(name, typeof(Dictionary<TKey, TValue>)))),
        _ => ReadEntries(json, []),
    };

    public void WriteEntries(Utf8JsonWriter writer, IEnumerable<KeyValuePair<TKey, TValue>> entries)
    {
        StateCodecs.CheckDepth(writer, typeof(Dictionary<TKey, TValue>));
        writer.WriteStartArray();
        foreach (var (key, value) in entries)
        {
            writer.WriteStartArray();
            keys.Write(writer, key);
            values.Write(writer, value);
            writer.WriteEndArray();
        }

        writer.WriteEndArray();
    }

    public Dictionary<TKey, TValue> ReadEntries(JsonElement json, Dictionary<TKey, TValue> into)
    {
        if (json.ValueKind != JsonValueKind.Array)
        {
            throw Mismatch(json, "an array of [key, value] pairs");
        }

        foreach (var entry in json.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Array || entry.GetArrayLength() != 2)
            {
                throw Mismatch(entry, "a [key, value] pair");
            }

            var key = keys.Read(entry[0]);
            if (key is null || !into.TryAdd(key, values.Read(entry[1])))
            {
                throw new InvalidDataException($"A {TypeNames.Of(typeof(Dictionary<TKey, TValue>))} in the checkpoint holds a null or repeated key.");
            }
        }

        return into;
    }
}

/// <summary>
/// A dictionary declared as <c>IDictionary</c> or <c>IReadOnlyDictionary</c>: written from its
/// entries, read back as a <see cref="Dictionary{TKey, TValue}"/> (with its comparer, when it was one).
/// </summary>
internal sealed class DictionaryInterfaceCodec<TInterface, TKey, TValue>(DictionaryCodec<TKey, TValue> dictionary) : ValueCodec<TInterface>
    where TInterface : class, IEnumerable<KeyValuePair<TKey, TValue>>
    where TKey : notnull
{
    public override void Write(Utf8JsonWriter writer, TInterface value)
    {
        if (value is Dictionary<TKey, TValue> concrete)
        {
            dictionary.Write(writer, concrete);
        }
        else if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            dictionary.WriteEntries(writer, value);
        }
    }

    public override TInterface Read(JsonElement element) => (TInterface)(object)dictionary.Read(element);
}

/// <summary>A set declared as <c>ISet</c> or <c>IReadOnlySet</c>: read back as a <see cref="HashSet{T}"/>.</summary>
internal sealed class SetInterfaceCodec<TInterface, T>(HashSetCodec<T> set, ValueCodec<T> element) : ValueCodec<TInterface>
    where TInterface : class, IEnumerable<T>
{
    public override void Write(Utf8JsonWriter writer, TInterface value)
    {
        if (value is HashSet<T> concrete)
        {
            set.Write(writer, concrete);
        }
        else if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            Sequences.Write(writer, element, value, typeof(TInterface));
        }
    }

    public override TInterface Read(JsonElement json) => (TInterface)(object)set.Read(json);
}
