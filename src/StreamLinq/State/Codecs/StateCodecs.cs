using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace StreamLinq.State.Codecs;

/// <summary>
/// The one serializer of every user value a checkpoint holds (records, keys, states, partial
/// aggregates, window buffers, write-ahead log records): a codec per type, built once by
/// reflection, that writes JSON and reads back exactly what was written, or refuses the type
/// with the reason (<see cref="Problem"/>) before the context starts.
/// </summary>
/// <remarks>
/// <para>Why not System.Text.Json's serializer: its defaults skip fields (every
/// <see cref="ValueTuple{T1, T2}"/> came back as <c>(null, 0)</c>), refuse NaN and infinities,
/// drop get-only properties that no constructor parameter names, turn lone surrogates into
/// U+FFFD and allow only scalar dictionary keys. A codec here writes a type's fields, the state
/// that defines it, whatever its constructors and setters.</para>
/// <para>What it holds: scalars (integers, floating point with its exact bits, decimal with its
/// scale, char, string, bool, Guid, DateTime, DateTimeOffset with its offset, TimeSpan,
/// DateOnly, TimeOnly, Int128, UInt128, BigInteger, Version, Uri, JSON payloads), enums,
/// nullable value types, arrays, <c>List</c>, <c>HashSet</c>, <c>Dictionary</c> (any key type)
/// and their interfaces, queues, stacks, linked lists, sorted and immutable collections, LINQ
/// groupings, tuples, <c>KeyValuePair</c>, and records, classes and structs of the query's own
/// made of these.</para>
/// <para>What it refuses, and why: <c>object</c>, interfaces other than the collections', and
/// abstract types (the runtime type is not known to read it back); delegates (code); pointers
/// and handles; multidimensional arrays; inline arrays and fixed-size buffers (elements that are
/// not fields); framework types other than the above (their fields are the runtime's); classes
/// with subclasses (a subclass's own fields would be lost).</para>
/// </remarks>
internal static class StateCodecs
{
    /// <summary>How deep one value may nest in a checkpoint; deeper is taken for a cycle.</summary>
    public const int MaxDepth = 256;

    /// <summary>Checkpoint JSON is a file, not HTML: non-ASCII text is written as is.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, MaxDepth = 4 * MaxDepth };

    public static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 4 * MaxDepth };

    private static readonly ConcurrentDictionary<Type, ValueCodec> Built = new();
    private static readonly ConcurrentDictionary<Type, string> Refused = new();
    private static readonly Lock BuildGate = new();

    private static readonly Dictionary<Type, Type> SequenceInterfaces = new()
    {
        [typeof(IEnumerable<>)] = typeof(SequenceInterfaceCodec<,>),
        [typeof(IReadOnlyCollection<>)] = typeof(SequenceInterfaceCodec<,>),
        [typeof(IReadOnlyList<>)] = typeof(SequenceInterfaceCodec<,>),
        [typeof(ICollection<>)] = typeof(SequenceInterfaceCodec<,>),
        [typeof(IList<>)] = typeof(SequenceInterfaceCodec<,>),
    };

    /// <summary>The codec of <typeparamref name="T"/>.</summary>
    /// <exception cref="NotSupportedException">The type cannot round-trip; the message says why.</exception>
    public static ValueCodec<T> For<T>() => Typed<T>.Codec ??= (ValueCodec<T>)For(typeof(T));

    /// <inheritdoc cref="For{T}"/>
    public static ValueCodec For(Type type)
    {
        if (Built.TryGetValue(type, out var codec))
        {
            return codec;
        }

        if (Refused.TryGetValue(type, out var reason))
        {
            throw new NotSupportedException(reason);
        }

        lock (BuildGate)
        {
            if (Built.TryGetValue(type, out codec))
            {
                return codec;
            }

            var building = new Dictionary<Type, ValueCodec>();
            try
            {
                codec = Build(type, building, TypeNames.Of(type));
            }
            catch (NotSupportedException error)
            {
                Refused.TryAdd(type, error.Message);
                throw;
            }

            foreach (var (built, builtCodec) in building)
            {
                Built.TryAdd(built, builtCodec);
            }

            Built.TryAdd(type, codec);
            return codec;
        }
    }

    /// <summary>Why values of <paramref name="type"/> cannot round-trip through a checkpoint; null when they can.</summary>
    public static string? Problem(Type type)
    {
        try
        {
            For(type);
            return null;
        }
        catch (NotSupportedException error)
        {
            return error.Message;
        }
    }

    /// <summary>The codec of an array of <paramref name="element"/>, for the used part of an aggregate column.</summary>
    public static ArrayCodec ArrayOf(Type element) =>
        ((IUntypedArray)For(element.MakeArrayType())).Untyped;

    /// <exception cref="InvalidOperationException">The writer is deeper than a value may nest.</exception>
    public static void CheckDepth(Utf8JsonWriter writer, Type type)
    {
        if (writer.CurrentDepth > MaxDepth)
        {
            throw new InvalidOperationException(
                $"A {TypeNames.Of(type)} nests more than {MaxDepth} levels deep in a checkpoint: does it hold a cycle? A checkpoint holds trees of values, not graphs.");
        }
    }

    private static ValueCodec Build(Type type, Dictionary<Type, ValueCodec> building, string path)
    {
        if (Built.TryGetValue(type, out var codec) || building.TryGetValue(type, out codec))
        {
            return codec;
        }

        codec = Create(type, building, path);
        building[type] = codec;
        return codec;
    }

    private static ValueCodec Create(Type type, Dictionary<Type, ValueCodec> building, string path)
    {
        NotSupportedException Refuse(string why) => new($"{path} is {why}");

        if (type.IsPointer || type.IsFunctionPointer || type == typeof(IntPtr) || type == typeof(UIntPtr))
        {
            throw Refuse("a pointer or handle, which means nothing to another process.");
        }

        if (typeof(Delegate).IsAssignableFrom(type))
        {
            throw Refuse("a delegate: code, which a checkpoint never holds; keep functions in the query, data in the state.");
        }

        if (type == typeof(object))
        {
            throw Refuse("declared as object: a checkpoint must know a value's type to read it back; declare a concrete type.");
        }

        if (type.IsGenericTypeDefinition || type.ContainsGenericParameters || type.IsByRefLike)
        {
            throw Refuse("not a type a value can have.");
        }

        if (ScalarCodecs.For(type) is { } scalar)
        {
            return scalar;
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Make(typeof(NullableCodec<>), [underlying], Build(underlying, building, path));
        }

        if (type.IsEnum)
        {
            var number = Enum.GetUnderlyingType(type);
            return Make(typeof(EnumCodec<,>), [type, number], Build(number, building, path));
        }

        if (type.IsArray)
        {
            if (!type.IsSZArray)
            {
                throw Refuse("a multidimensional array; use an array of arrays.");
            }

            var element = type.GetElementType()!;
            return Make(typeof(ArrayCodec<>), [element], Build(element, building, path + "[]"));
        }

        if (type.IsGenericType && Collection(type, building, path) is { } collection)
        {
            return collection;
        }

        if (type.IsInterface)
        {
            throw Refuse("an interface: a checkpoint must know a value's concrete type to read it back; declare a concrete type (the collection interfaces IEnumerable, IReadOnlyList, IList, IDictionary, ISet and their kin are the exception).");
        }

        if (type.IsAbstract)
        {
            throw Refuse("abstract: a checkpoint must know a value's concrete type to read it back; declare a concrete type.");
        }

        if (IsFramework(type) && !IsFrameworkData(type))
        {
            throw Refuse("a framework type a checkpoint cannot hold: its fields are the runtime's, not data. " +
                "A checkpoint holds numbers, strings, dates, Guid, enums, arrays, List, HashSet, Dictionary, tuples and records, classes and structs made of them.");
        }

        for (var baseType = type.BaseType; baseType is not null && baseType != typeof(object) && baseType != typeof(ValueType); baseType = baseType.BaseType)
        {
            if (IsFramework(baseType) && !IsFrameworkData(baseType))
            {
                throw Refuse($"derived from {TypeNames.Of(baseType)}, a framework type whose fields are the runtime's, not data.");
            }
        }

        if (type.IsDefined(typeof(System.Runtime.CompilerServices.InlineArrayAttribute), false))
        {
            throw Refuse("an inline array: its elements past the first are not fields a checkpoint can read; use an array.");
        }

        if (!type.IsValueType && !type.IsSealed && !IsFramework(type) && Subclass(type) is { } subclass)
        {
            throw Refuse($"a class with subclasses ({TypeNames.Of(subclass)}): a checkpoint holds the declared type only, so a subclass's own fields would be lost. Seal the type, or declare the stream or state as the subclass.");
        }

        return Object(type, building, path);
    }

    private static ValueCodec? Collection(Type type, Dictionary<Type, ValueCodec> building, string path)
    {
        var definition = type.GetGenericTypeDefinition();
        var arguments = type.GetGenericArguments();
        ValueCodec Element(int i, string suffix) => Build(arguments[i], building, path + suffix);

        if (definition == typeof(List<>))
        {
            return Make(typeof(ListCodec<>), arguments, Element(0, "[]"));
        }

        if (definition == typeof(HashSet<>))
        {
            return Make(typeof(HashSetCodec<>), arguments, Element(0, "[]"));
        }

        if (definition == typeof(Dictionary<,>))
        {
            return Make(typeof(DictionaryCodec<,>), arguments, Element(0, ".Keys[]"), Element(1, ".Values[]"));
        }

        if (SequenceInterfaces.TryGetValue(definition, out var sequence))
        {
            return Make(sequence, [type, arguments[0]], Element(0, "[]"));
        }

        if (definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>))
        {
            var dictionary = Build(typeof(Dictionary<,>).MakeGenericType(arguments), building, path);
            return Make(typeof(DictionaryInterfaceCodec<,,>), [type, .. arguments], dictionary);
        }

        if (definition == typeof(IGrouping<,>))
        {
            return Make(typeof(GroupingCodec<,>), arguments, Element(0, ".Key"), Element(1, "[]"));
        }

        if (RebuiltCollections.For(definition, arguments, i => Element(i, "[]"), t => Build(t, building, path)) is { } rebuilt)
        {
            return rebuilt;
        }

        if (definition == typeof(ISet<>) || definition == typeof(IReadOnlySet<>))
        {
            var set = Build(typeof(HashSet<>).MakeGenericType(arguments), building, path);
            return Make(typeof(SetInterfaceCodec<,>), [type, arguments[0]], set, Element(0, "[]"));
        }

        return null;
    }

    private static ValueCodec Object(Type type, Dictionary<Type, ValueCodec> building, string path)
    {
        var codecType = typeof(ObjectCodec<>).MakeGenericType(type);
        var codec = (ValueCodec)Activator.CreateInstance(codecType)!;

        // Registered before its fields are built, so that a recursive type finds itself.
        building[type] = codec;
        var fields = new List<FieldInfo>();
        for (var declaring = type; declaring is not null && declaring != typeof(object) && declaring != typeof(ValueType); declaring = declaring.BaseType)
        {
            fields.InsertRange(0, declaring.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly));
        }

        if (fields.FirstOrDefault(f => f.IsDefined(typeof(System.Runtime.CompilerServices.FixedBufferAttribute), false)) is { } buffer)
        {
            throw new NotSupportedException($"{path}.{buffer.Name} is a fixed-size buffer: its elements past the first are not fields a checkpoint can read; use an array.");
        }

        var names = fields.Select(f => NameOf(f)).ToList();
        var fieldCodecType = typeof(ObjectCodec<>.FieldCodec).MakeGenericType(type);
        var fieldCodecs = Array.CreateInstance(fieldCodecType, fields.Count);
        for (var i = 0; i < fields.Count; i++)
        {
            var name = names.Count(n => n == names[i]) > 1 ? TypeNames.Of(fields[i].DeclaringType!) + "." + names[i] : names[i];
            var fieldCodec = Build(fields[i].FieldType, building, $"{path}.{names[i]}");
            fieldCodecs.SetValue(Activator.CreateInstance(typeof(ObjectCodec<>.FieldCodec<>).MakeGenericType(type, fields[i].FieldType), name, fields[i], fieldCodec), i);
        }

        codecType.GetMethod(nameof(ObjectCodec<int>.Initialize))!.Invoke(codec, [fieldCodecs]);
        return codec;
    }

    /// <summary>A field's name as the reader knows it: an auto-property's or anonymous type's field under the property's name.</summary>
    private static string NameOf(FieldInfo field)
    {
        var name = field.Name;
        if (name.StartsWith('<') && name.IndexOf('>', StringComparison.Ordinal) is > 1 and var end)
        {
            return name[1..end];
        }

        return name;
    }

    private static bool IsFramework(Type type)
    {
        if (type.Assembly == typeof(object).Assembly)
        {
            return true;
        }

        var name = type.Assembly.GetName().Name ?? "";
        return name is "System" or "mscorlib" or "netstandard"
            || name.StartsWith("System.", StringComparison.Ordinal)
            || name.StartsWith("Microsoft.", StringComparison.Ordinal);
    }

    /// <summary>Framework types that are plain data: their fields are their values.</summary>
    private static bool IsFrameworkData(Type type)
    {
        if (type == typeof(ValueTuple))
        {
            return true;
        }

        if (!type.IsGenericType)
        {
            return false;
        }

        var definition = type.GetGenericTypeDefinition();
        return definition == typeof(KeyValuePair<,>)
            || definition.FullName!.StartsWith("System.ValueTuple`", StringComparison.Ordinal)
            || definition.FullName!.StartsWith("System.Tuple`", StringComparison.Ordinal);
    }

    private static Type? Subclass(Type type)
    {
        Type?[] candidates;
        try
        {
            candidates = type.Assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException partial)
        {
            candidates = partial.Types;
        }

        return candidates.FirstOrDefault(t => t is not null && t != type && type.IsAssignableFrom(t));
    }

    private static ValueCodec Make(Type generic, Type[] arguments, params object[] codecs) =>
        (ValueCodec)Activator.CreateInstance(generic.MakeGenericType(arguments), codecs)!;

    private static class Typed<T>
    {
        public static ValueCodec<T>? Codec;
    }
}
