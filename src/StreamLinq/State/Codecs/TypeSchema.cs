namespace StreamLinq.State.Codecs;

/// <summary>
/// The shape of a checkpointed type as its codec writes it, kept in every checkpoint so that a
/// later build can tell how its own types differ (<see cref="SchemaEvolution"/>): the type's name
/// without namespace or enclosing types (moving a type is no change, renaming it is), the fields of
/// a record, class or struct, and the type arguments of a collection, nullable or array.
/// </summary>
/// <param name="Name">The name as C# writes it, e.g. <c>List&lt;Session&gt;</c>, <c>long</c>, <c>new { A, B }</c>.</param>
/// <param name="Fields">The fields, in the order they are written; null for a type that is not written field by field.</param>
/// <param name="Arguments">The element or type arguments; null when there are none.</param>
internal sealed record TypeSchema(string Name, IReadOnlyList<FieldSchema>? Fields = null, IReadOnlyList<TypeSchema>? Arguments = null)
{
    public static TypeSchema Of(Type type) => Of(type, []);

    /// <summary>The name a schema gives <paramref name="type"/>.</summary>
    public static string NameOf(Type type)
    {
        if (type.IsArray)
        {
            return NameOf(type.GetElementType()!) + "[]";
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return NameOf(underlying) + "?";
        }

        if (TypeNames.IsAnonymous(type) || type.IsPrimitive || type == typeof(string) || type == typeof(decimal))
        {
            return TypeNames.Of(type);
        }

        if (!type.IsGenericType)
        {
            return type.Name;
        }

        var arguments = string.Join(", ", type.GetGenericArguments().Select(NameOf));
        return type.FullName?.StartsWith("System.ValueTuple`", StringComparison.Ordinal) == true
            ? $"({arguments})"
            : $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{arguments}>";
    }

    /// <summary>The types written inside a value of <paramref name="type"/> that is not written field by field.</summary>
    public static Type[] ArgumentsOf(Type type) =>
        type.IsArray ? [type.GetElementType()!]
        : Nullable.GetUnderlyingType(type) is { } underlying ? [underlying]
        : type.IsGenericType ? type.GetGenericArguments()
        : [];

    /// <summary>The fields of a type written field by field; null for any other (or a type no codec takes, which the start refuses anyway).</summary>
    public static IReadOnlyList<(string Name, System.Reflection.FieldInfo Field)>? FieldsOf(Type type) =>
        StateCodecs.Problem(type) is null && StateCodecs.For(type) is IObjectCodec codec ? codec.Fields.ToList() : null;

    private static TypeSchema Of(Type type, HashSet<Type> open)
    {
        var name = NameOf(type);

        // A recursive type lists its fields once, where it first occurs.
        if (!open.Add(type))
        {
            return new TypeSchema(name);
        }

        try
        {
            if (FieldsOf(type) is { } fields)
            {
                return new TypeSchema(name, fields.Select(f => new FieldSchema(f.Name, Of(f.Field.FieldType, open))).ToList());
            }

            var arguments = ArgumentsOf(type);
            return new TypeSchema(name, null, arguments.Length == 0 ? null : arguments.Select(a => Of(a, open)).ToList());
        }
        finally
        {
            open.Remove(type);
        }
    }
}

/// <summary>One field of a <see cref="TypeSchema"/>.</summary>
/// <param name="Name">The field's name in the JSON (an auto-property's under the property's name).</param>
/// <param name="Type">Its type's schema.</param>
internal sealed record FieldSchema(string Name, TypeSchema Type);
