using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace StreamLinq.Query;

/// <summary>
/// Recognises, by its run-time type, static data whose contents cannot change, so that a join
/// reads it once instead of before every batch. Only types whose immutability is proven count:
/// any other collection may be changed by its owner between batches, and LINQ sees such changes.
/// </summary>
internal static class ImmutableCollections
{
    private static readonly HashSet<Type> Immutable =
    [
        typeof(ImmutableArray<>), typeof(ImmutableList<>), typeof(ImmutableHashSet<>), typeof(ImmutableSortedSet<>),
        typeof(ImmutableQueue<>), typeof(ImmutableStack<>), typeof(ImmutableDictionary<,>), typeof(ImmutableSortedDictionary<,>),
    ];

    // Their constructors are not public: every subclass is one of the library's own.
    private static readonly Type[] Frozen = [typeof(FrozenSet<>), typeof(FrozenDictionary<,>)];

    /// <summary>
    /// Whether <paramref name="data"/> is one of System.Collections.Immutable's collections, a
    /// frozen set or dictionary, or an iterator that one of them returned over itself (the
    /// <c>Keys</c> and <c>Values</c> of an <see cref="ImmutableDictionary{TKey, TValue}"/>; a
    /// <see cref="FrozenDictionary{TKey, TValue}"/>'s are <see cref="ImmutableArray{T}"/>s).
    /// </summary>
    public static bool Contain(object data)
    {
        var type = data.GetType();
        if (IsImmutable(type) || Frozen.Any(frozen => DerivesFrom(type, frozen)))
        {
            return true;
        }

        // An iterator method of the library's immutable types that takes no argument (its
        // generated class keeps the collection, `<>4__this`, and no `<>3__` copy of an argument)
        // reads only the collection it was called on. ImmutableSortedDictionary's Keys and
        // Values, a LINQ Select over its nodes, are not recognised.
        if (type.DeclaringType is not { } owner || !IsImmutable(owner) || owner.Assembly != type.Assembly ||
            !type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false))
        {
            return false;
        }

        var fields = type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
        return fields.Any(f => f.Name == "<>4__this") && !fields.Any(f => f.Name.StartsWith("<>3__", StringComparison.Ordinal));
    }

    private static bool IsImmutable(Type type) => type.IsGenericType && Immutable.Contains(type.GetGenericTypeDefinition());

    private static bool DerivesFrom(Type type, Type generic)
    {
        for (var t = type; t is not null; t = t.BaseType)
        {
            if (t.IsGenericType && t.GetGenericTypeDefinition() == generic)
            {
                return true;
            }
        }

        return false;
    }
}
