namespace StreamLinq.State.Codecs;

/// <summary>
/// How to read one operator's state written under older versions of its types
/// (<see cref="SchemaEvolution"/>): per record type, the fields it lost, gained and widened.
/// In force on the thread that restores the state, only while it does (<see cref="Use"/>).
/// </summary>
internal sealed class SchemaMigration
{
    [ThreadStatic]
    private static SchemaMigration? _current;

    private readonly Dictionary<Type, ObjectMigration> _types = [];

    /// <summary>The migration the state being restored on this thread reads under; null at any other time.</summary>
    public static SchemaMigration? Current => _current;

    public bool IsEmpty => _types.Count == 0;

    /// <summary>Puts <paramref name="migration"/> in force on this thread until the scope is disposed.</summary>
    public static Scope Use(SchemaMigration? migration)
    {
        var previous = _current;
        _current = migration;
        return new Scope(previous);
    }

    public void Add(Type type, ObjectMigration migration) => _types[type] = migration;

    public ObjectMigration? For(Type type) => _types.GetValueOrDefault(type);

    /// <summary>Restores the migration in force before <see cref="Use"/>.</summary>
    public readonly struct Scope(SchemaMigration? previous) : IDisposable
    {
        public void Dispose() => _current = previous;
    }
}

/// <summary>What reading one record type's old values takes.</summary>
internal sealed class ObjectMigration
{
    /// <summary>Fields the checkpoint holds that the type no longer has: skipped.</summary>
    public HashSet<string> Removed { get; } = new(StringComparer.Ordinal);

    /// <summary>Fields whose numeric type widened, with the type they were written as: read as that, converted.</summary>
    public Dictionary<string, Type> Widened { get; } = new(StringComparer.Ordinal);

    /// <summary>Fields the type gained, with what makes the value each starts at.</summary>
    public Dictionary<string, Func<object?>> Added { get; } = new(StringComparer.Ordinal);
}
