using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace StreamLinq.State.Codecs;

/// <summary>
/// A record, class or struct of the query's own (anonymous types and tuples included), written
/// field by field: every instance field, public or private, of the type and its base classes, as
/// <c>{ "Name": value, ... }</c> (an auto-property's field under the property's name). Reading
/// creates the object without running a constructor and sets the same fields, readonly ones
/// included, so what comes back is what was written whatever constructors and setters it has.
/// </summary>
/// <remarks>
/// Only the declared type is written: a value of a subclass would lose its own fields, so it
/// fails the write (and a type with subclasses is refused at start). Shared references come back
/// as copies; a cycle fails the write once it nests deeper than <see cref="StateCodecs.MaxDepth"/>.
/// </remarks>
internal sealed class ObjectCodec<T> : ValueCodec<T>, IObjectCodec
{
    private FieldCodec[] _fields = [];
    private Dictionary<string, FieldCodec> _byName = [];

    public void Initialize(IEnumerable<FieldCodec> fields)
    {
        _fields = fields.ToArray();
        for (var i = 0; i < _fields.Length; i++)
        {
            _fields[i].Index = i;
        }

        _byName = _fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
    }

    public IEnumerable<(string Name, FieldInfo Field)> Fields => _fields.Select(f => (f.Name, f.Field));

    public override void Write(Utf8JsonWriter writer, T value)
    {
        if (value is null)
        {
            writer.WriteNullValue();
            return;
        }

        if (!typeof(T).IsValueType && value.GetType() != typeof(T))
        {
            throw new InvalidOperationException(
                $"A {TypeNames.Of(value.GetType())} was found where {TypeNames.Of(typeof(T))} is declared: a checkpoint holds the declared type only, and would lose its own fields.");
        }

        StateCodecs.CheckDepth(writer, typeof(T));
        writer.WriteStartObject();
        foreach (var field in _fields)
        {
            writer.WritePropertyName(field.EncodedName);
            field.Write(writer, ref value);
        }

        writer.WriteEndObject();
    }

    public override T Read(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Null && !typeof(T).IsValueType)
        {
            return default!;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Mismatch(element, "an object");
        }

        var value = typeof(T).IsValueType ? default! : (T)RuntimeHelpers.GetUninitializedObject(typeof(T));

        // Only while an upgraded query's state is restored: fields the type gained, lost or widened.
        var migration = SchemaMigration.Current?.For(typeof(T));
        Span<bool> seen = _fields.Length <= 256 ? stackalloc bool[_fields.Length] : new bool[_fields.Length];
        var next = 0;
        foreach (var property in element.EnumerateObject())
        {
            // Fields come back in the order they were written; the lookup by name is for the rest.
            var field = next < _fields.Length && property.NameEquals(_fields[next].Utf8Name) ? _fields[next]
                : _byName.GetValueOrDefault(property.Name);
            if (field is null)
            {
                if (migration?.Removed.Contains(property.Name) == true)
                {
                    continue;
                }

                throw new InvalidDataException($"The checkpoint holds a field '{property.Name}' that {TypeNames.Of(typeof(T))} does not have; was the type changed?");
            }

            if (seen[field.Index])
            {
                throw new InvalidDataException($"The checkpoint holds the field '{field.Name}' of {TypeNames.Of(typeof(T))} twice.");
            }

            try
            {
                if (migration?.Widened.TryGetValue(field.Name, out var written) == true)
                {
                    field.Set(ref value, Convert.ChangeType(StateCodecs.For(written).ReadBoxed(property.Value), field.Field.FieldType, System.Globalization.CultureInfo.InvariantCulture));
                }
                else
                {
                    field.Read(property.Value, ref value);
                }
            }
            catch (InvalidDataException error)
            {
                throw new InvalidDataException($"{TypeNames.Of(typeof(T))}.{field.Name}: {error.Message}", error);
            }

            seen[field.Index] = true;
            next = field.Index + 1;
        }

        for (var missing = seen.IndexOf(false); missing >= 0; missing = seen.IndexOf(false))
        {
            if (migration?.Added.TryGetValue(_fields[missing].Name, out var initial) != true)
            {
                throw new InvalidDataException($"The checkpoint holds no field '{_fields[missing].Name}' of {TypeNames.Of(typeof(T))}; was the type changed?");
            }

            _fields[missing].Set(ref value, initial!());
            seen[missing] = true;
        }

        return value;
    }

    /// <summary>One field: its name in the JSON, and typed access to it.</summary>
    internal abstract class FieldCodec(string name)
    {
        public string Name => name;

        public JsonEncodedText EncodedName { get; } = JsonEncodedText.Encode(name, StateCodecs.WriterOptions.Encoder);

        public byte[] Utf8Name { get; } = System.Text.Encoding.UTF8.GetBytes(name);

        public int Index { get; set; }

        public abstract FieldInfo Field { get; }

        /// <summary>Sets the field to a value of its type, boxed: a default or a widened number.</summary>
        public abstract void Set(ref T owner, object? value);

        public abstract void Write(Utf8JsonWriter writer, ref T owner);

        public abstract void Read(JsonElement element, ref T owner);
    }

    internal sealed class FieldCodec<TField>(string name, FieldInfo field, ValueCodec<TField> codec) : FieldCodec(name)
    {
        private readonly FieldAccess.Get<T, TField> _get = FieldAccess.Getter<T, TField>(field);
        private readonly FieldAccess.Set<T, TField> _set = FieldAccess.Setter<T, TField>(field);

        public override FieldInfo Field => @field;

        public override void Set(ref T owner, object? value) => _set(ref owner, (TField)value!);

        public override void Write(Utf8JsonWriter writer, ref T owner) => codec.Write(writer, _get(ref owner));

        public override void Read(JsonElement element, ref T owner) => _set(ref owner, codec.Read(element));
    }
}

/// <summary>A codec that writes a type field by field, as the schema of a checkpoint describes it.</summary>
internal interface IObjectCodec
{
    /// <summary>The fields in the order they are written, each under its name in the JSON.</summary>
    IEnumerable<(string Name, FieldInfo Field)> Fields { get; }
}

/// <summary>Compiled access to any instance field, readonly and private ones included.</summary>
internal static class FieldAccess
{
    public delegate TField Get<TOwner, TField>(ref TOwner owner);

    public delegate void Set<TOwner, TField>(ref TOwner owner, TField value);

    public static Get<TOwner, TField> Getter<TOwner, TField>(FieldInfo field)
    {
        var method = new DynamicMethod("get_" + field.Name, typeof(TField), [typeof(TOwner).MakeByRefType()], typeof(FieldAccess).Module, skipVisibility: true);
        var il = method.GetILGenerator();
        LoadOwner(il, typeof(TOwner));
        il.Emit(OpCodes.Ldfld, field);
        il.Emit(OpCodes.Ret);
        return method.CreateDelegate<Get<TOwner, TField>>();
    }

    public static Set<TOwner, TField> Setter<TOwner, TField>(FieldInfo field)
    {
        // IL may store into a readonly field; this runs only on an object being rebuilt.
        var method = new DynamicMethod("set_" + field.Name, null, [typeof(TOwner).MakeByRefType(), typeof(TField)], typeof(FieldAccess).Module, skipVisibility: true);
        var il = method.GetILGenerator();
        LoadOwner(il, typeof(TOwner));
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Stfld, field);
        il.Emit(OpCodes.Ret);
        return method.CreateDelegate<Set<TOwner, TField>>();
    }

    private static void LoadOwner(ILGenerator il, Type owner)
    {
        il.Emit(OpCodes.Ldarg_0);
        if (!owner.IsValueType)
        {
            il.Emit(OpCodes.Ldind_Ref);
        }
    }
}
