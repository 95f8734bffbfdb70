using System.Reflection;
using System.Runtime.CompilerServices;

namespace StreamLinq.State.Codecs;

/// <summary>
/// Decides whether values a checkpoint wrote under an older <see cref="TypeSchema"/> can be read
/// as the current type, and how (<see cref="SchemaMigration"/>): a record, class or struct may gain
/// a field (it takes its declared default), lose one (its value is skipped) or widen a field's
/// numeric type (<c>int</c> to <c>long</c>, <c>float</c> to <c>double</c>: the old value, converted
/// exactly); anything else is a problem stated by type and field.
/// </summary>
internal static class SchemaEvolution
{
    /// <summary>Each numeric type and the types that hold every value of it exactly.</summary>
    private static readonly Dictionary<Type, Type[]> Widenings = new()
    {
        [typeof(sbyte)] = [typeof(short), typeof(int), typeof(long), typeof(float), typeof(double), typeof(decimal)],
        [typeof(byte)] = [typeof(short), typeof(ushort), typeof(int), typeof(uint), typeof(long), typeof(ulong), typeof(float), typeof(double), typeof(decimal)],
        [typeof(short)] = [typeof(int), typeof(long), typeof(float), typeof(double), typeof(decimal)],
        [typeof(ushort)] = [typeof(int), typeof(uint), typeof(long), typeof(ulong), typeof(float), typeof(double), typeof(decimal)],
        [typeof(int)] = [typeof(long), typeof(double), typeof(decimal)],
        [typeof(uint)] = [typeof(long), typeof(ulong), typeof(double), typeof(decimal)],
        [typeof(long)] = [typeof(decimal)],
        [typeof(ulong)] = [typeof(decimal)],
        [typeof(float)] = [typeof(double)],
        [typeof(double)] = [],
        [typeof(decimal)] = [],
    };

    private static readonly Type[] Integers = [typeof(sbyte), typeof(byte), typeof(short), typeof(ushort), typeof(int), typeof(uint), typeof(long), typeof(ulong)];

    private static readonly Dictionary<string, Type> Numbers = Widenings.Keys.ToDictionary(TypeSchema.NameOf);

    /// <summary>
    /// Compares what the checkpoint wrote (<paramref name="written"/>) with <paramref name="current"/>,
    /// adds to <paramref name="migration"/> what reading it takes, and returns the problems, each
    /// naming <paramref name="role"/> (<c>key</c>, <c>state</c>), the type and the field.
    /// </summary>
    public static List<string> Compare(string role, TypeSchema written, Type current, SchemaMigration migration)
    {
        var problems = new List<string>();
        Compare(role, written, current, migration, problems, []);
        return problems;
    }

    private static void Compare(string role, TypeSchema written, Type current, SchemaMigration migration, List<string> problems, HashSet<Type> open)
    {
        var name = TypeSchema.NameOf(current);
        if (written.Name != name)
        {
            // Outside a record's fields only whole numbers widen: the JSON number reads exactly as the wider type.
            if (Numbers.TryGetValue(written.Name, out var was) && Integers.Contains(was) && Integers.Contains(current) && Widenings[was].Contains(current))
            {
                return;
            }

            if (written.Arguments is { } writtenArguments && Definition(written.Name) == Definition(name) && TypeSchema.ArgumentsOf(current) is { } arguments && arguments.Length == writtenArguments.Count)
            {
                for (var i = 0; i < arguments.Length; i++)
                {
                    Compare(role, writtenArguments[i], arguments[i], migration, problems, open);
                }

                return;
            }

            problems.Add(written.Fields is not null && TypeSchema.FieldsOf(current) is not null
                ? $"{role} type {written.Name} is now {name}: a renamed type is refused (its fields cannot be told from another type's); keep the name, or drop the state"
                : $"{role} type changed from {written.Name} to {name}");
            return;
        }

        if (!open.Add(current))
        {
            return;
        }

        if (written.Fields is { } writtenFields && TypeSchema.FieldsOf(current) is { } fields)
        {
            CompareFields(role, name, writtenFields, current, fields, migration, problems, open);
        }
        else if (written.Arguments is { } writtenArguments && TypeSchema.ArgumentsOf(current) is { Length: > 0 } arguments && arguments.Length == writtenArguments.Count)
        {
            for (var i = 0; i < arguments.Length; i++)
            {
                Compare(role, writtenArguments[i], arguments[i], migration, problems, open);
            }
        }

        open.Remove(current);
    }

    private static void CompareFields(string role, string typeName, IReadOnlyList<FieldSchema> writtenFields, Type current, IReadOnlyList<(string Name, FieldInfo Field)> fields, SchemaMigration migration, List<string> problems, HashSet<Type> open)
    {
        var change = new ObjectMigration();
        var now = fields.ToDictionary(f => f.Name, f => f.Field, StringComparer.Ordinal);
        foreach (var field in writtenFields)
        {
            if (!now.TryGetValue(field.Name, out var info))
            {
                change.Removed.Add(field.Name);
                continue;
            }

            var type = info.FieldType;
            if (Numbers.TryGetValue(field.Type.Name, out var was) && Widenings.ContainsKey(type) && was != type)
            {
                if (Widenings[was].Contains(type))
                {
                    change.Widened[field.Name] = was;
                }
                else
                {
                    problems.Add($"{role} field {typeName}.{field.Name} narrowed from {field.Type.Name} to {TypeSchema.NameOf(type)}: an old value may not fit; keep the type or widen it");
                }

                continue;
            }

            Compare($"{role} field {typeName}.{field.Name}", field.Type, type, migration, problems, open);
        }

        var written = writtenFields.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, info) in fields.Where(f => !written.Contains(f.Name)))
        {
            if (DefaultOf(current, name, info) is { } initial)
            {
                change.Added[name] = initial;
            }
            else
            {
                problems.Add($"{role} field {typeName}.{name} was added without a default, and a {TypeSchema.NameOf(info.FieldType)} may not be null: give it a default (a constructor parameter's or an initializer) or make it nullable");
            }
        }

        if (change.Removed.Count + change.Widened.Count + change.Added.Count > 0)
        {
            migration.Add(current, change);
        }
    }

    /// <summary>
    /// What an added field starts at: its constructor parameter's default, else what a constructor
    /// run with every parameter at its default leaves in it (an initializer's value, built again
    /// for every value read, so that no two share a mutable default), else the type's default when
    /// the field may be that (a value type, a nullable reference); null when it has none.
    /// </summary>
    private static Func<object?>? DefaultOf(Type owner, string name, FieldInfo field)
    {
        var constructors = owner.GetConstructors(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Where(c => !c.GetParameters().Any(p => p.ParameterType.IsByRef || p.ParameterType.IsPointer || p.ParameterType == owner))
            .OrderBy(c => c.GetParameters().Length)
            .ToList();
        foreach (var parameter in constructors.SelectMany(c => c.GetParameters()))
        {
            if (parameter.HasDefaultValue && string.Equals(parameter.Name, name, StringComparison.OrdinalIgnoreCase) && parameter.ParameterType == field.FieldType)
            {
                var initial = parameter.DefaultValue ?? (field.FieldType.IsValueType ? RuntimeHelpers.GetUninitializedObject(field.FieldType) : null);
                return () => initial;
            }
        }

        foreach (var constructor in constructors)
        {
            var arguments = constructor.GetParameters()
                .Select(p => p.HasDefaultValue ? p.DefaultValue : p.ParameterType.IsValueType ? RuntimeHelpers.GetUninitializedObject(p.ParameterType) : null)
                .ToArray();
            object? initial;
            try
            {
                initial = field.GetValue(constructor.Invoke(arguments));
            }
            catch (TargetInvocationException)
            {
                // This constructor refuses default arguments; try the next.
                continue;
            }

            if (initial is null && !MayBeNull(field))
            {
                break;
            }

            return initial is null || field.FieldType.IsValueType || initial is string ? () => initial : () => field.GetValue(constructor.Invoke(arguments));
        }

        if (field.FieldType.IsValueType)
        {
            var zero = RuntimeHelpers.GetUninitializedObject(field.FieldType);
            return () => zero;
        }

        return MayBeNull(field) ? () => null : null;
    }

    private static bool MayBeNull(FieldInfo field) =>
        !field.FieldType.IsValueType && new NullabilityInfoContext().Create(field).WriteState != NullabilityState.NotNull;

    private static string Definition(string name) => name.IndexOf('<', StringComparison.Ordinal) is var i and >= 0 ? name[..i] : name;
}
