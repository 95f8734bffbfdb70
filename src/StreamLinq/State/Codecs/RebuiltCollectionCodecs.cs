using System.Collections.Immutable;
using System.Text.Json;

namespace StreamLinq.State.Codecs;

/// <summary>
/// A collection written as the JSON array of its items and rebuilt from them: queues, stacks,
/// linked lists, sorted and immutable collections. One whose comparer is not the default one
/// fails the write: a comparer is code.
/// </summary>
internal sealed class RebuiltSequenceCodec<TCollection, T>(
    ValueCodec<T> element,
    Func<TCollection, IEnumerable<T>?> items,
    Func<T[]?, TCollection> rebuild,
    Func<TCollection, bool> hasDefaultComparer) : ValueCodec<TCollection>
{
    public override void Write(Utf8JsonWriter writer, TCollection value)
    {
        if (value is null || items(value) is not { } sequence)
        {
            writer.WriteNullValue();
            return;
        }

        if (!hasDefaultComparer(value))
        {
            throw new InvalidOperationException($"A {TypeNames.Of(typeof(TCollection))} with a comparer of its own cannot be checkpointed: a comparer is code; use the default one.");
        }

        Sequences.Write(writer, element, sequence, typeof(TCollection));
    }

    public override TCollection Read(JsonElement json) =>
        rebuild(json.ValueKind == JsonValueKind.Null ? null : Sequences.Read(json, element, typeof(TCollection)));
}

/// <summary>A keyed collection written as <c>[[key, value], ...]</c> and rebuilt from its pairs.</summary>
internal sealed class RebuiltDictionaryCodec<TCollection, TKey, TValue>(
    DictionaryCodec<TKey, TValue> pairs,
    Func<Dictionary<TKey, TValue>, TCollection> rebuild,
    Func<TCollection, bool> hasDefaultComparer) : ValueCodec<TCollection>
    where TCollection : class, IEnumerable<KeyValuePair<TKey, TValue>>
    where TKey : notnull
{
    public override void Write(Utf8JsonWriter writer, TCollection value)
    {
        if (value is null)
        {
            writer.WriteNullValue();
            return;
        }

        if (!hasDefaultComparer(value))
        {
            throw new InvalidOperationException($"A {TypeNames.Of(typeof(TCollection))} with a comparer of its own cannot be checkpointed: a comparer is code; use the default one.");
        }

        pairs.WriteEntries(writer, value);
    }

    public override TCollection Read(JsonElement json) =>
        json.ValueKind == JsonValueKind.Null ? null! : rebuild(pairs.ReadEntries(json, []));
}

/// <summary>A LINQ grouping as <c>{ "key": ..., "items": [...] }</c>, read back as a grouping with the same key and items.</summary>
internal sealed class GroupingCodec<TKey, T>(ValueCodec<TKey> key, ValueCodec<T> element) : ValueCodec<IGrouping<TKey, T>>
{
    public override void Write(Utf8JsonWriter writer, IGrouping<TKey, T> value)
    {
        if (value is null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartObject();
        writer.WritePropertyName("key");
        key.Write(writer, value.Key);
        writer.WritePropertyName("items");
        Sequences.Write(writer, element, value, typeof(IGrouping<TKey, T>));
        writer.WriteEndObject();
    }

    public override IGrouping<TKey, T> Read(JsonElement json)
    {
        if (json.ValueKind == JsonValueKind.Null)
        {
            return null!;
        }

        if (json.ValueKind != JsonValueKind.Object || !json.TryGetProperty("key", out var k) || !json.TryGetProperty("items", out var items))
        {
            throw Mismatch(json, "{ key, items }");
        }

        return new Grouping(key.Read(k), Sequences.Read(items, element, typeof(IGrouping<TKey, T>)));
    }

    private sealed class Grouping(TKey key, T[] items) : IGrouping<TKey, T>
    {
        public TKey Key => key;

        public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)items).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}

/// <summary>How each rebuilt collection is taken apart and put back together.</summary>
internal static class RebuiltCollections
{
    public static ValueCodec? For(Type definition, Type[] arguments, Func<int, ValueCodec> element, Func<Type, ValueCodec> build)
    {
        var method = typeof(RebuiltCollections).GetMethods(System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)
            .SingleOrDefault(m => m.IsDefined(typeof(ForAttribute), false) && m.GetCustomAttributes(typeof(ForAttribute), false).Cast<ForAttribute>().Single().Definition == definition);
        if (method is null)
        {
            return null;
        }

        var codecs = arguments.Length == 1 ? [element(0)] : new object[] { build(typeof(Dictionary<,>).MakeGenericType(arguments)) };
        return (ValueCodec)method.MakeGenericMethod(arguments).Invoke(null, codecs)!;
    }

    [For(typeof(Queue<>))]
    private static ValueCodec Queue<T>(ValueCodec<T> e) => Sequence<Queue<T>, T>(e, q => q, a => a is null ? null! : new Queue<T>(a));

    [For(typeof(Stack<>))]
    private static ValueCodec Stack<T>(ValueCodec<T> e) => Sequence<Stack<T>, T>(e, s => s.Reverse(), a => a is null ? null! : new Stack<T>(a));

    [For(typeof(LinkedList<>))]
    private static ValueCodec LinkedList<T>(ValueCodec<T> e) => Sequence<LinkedList<T>, T>(e, l => l, a => a is null ? null! : new LinkedList<T>(a));

    [For(typeof(SortedSet<>))]
    private static ValueCodec SortedSet<T>(ValueCodec<T> e) =>
        Sequence<SortedSet<T>, T>(e, s => s, a => a is null ? null! : new SortedSet<T>(a), s => ReferenceEquals(s.Comparer, Comparer<T>.Default));

    [For(typeof(ImmutableArray<>))]
    private static ValueCodec ImmutableArray<T>(ValueCodec<T> e) =>
        Sequence<ImmutableArray<T>, T>(e, a => a.IsDefault ? null : a, a => a is null ? default : System.Collections.Immutable.ImmutableArray.Create(a));

    [For(typeof(ImmutableList<>))]
    private static ValueCodec ImmutableList<T>(ValueCodec<T> e) =>
        Sequence<ImmutableList<T>, T>(e, l => l, a => a is null ? null! : System.Collections.Immutable.ImmutableList.Create(a));

    [For(typeof(ImmutableHashSet<>))]
    private static ValueCodec ImmutableHashSet<T>(ValueCodec<T> e) =>
        Sequence<ImmutableHashSet<T>, T>(e, s => s, a => a is null ? null! : System.Collections.Immutable.ImmutableHashSet.Create(a), s => ReferenceEquals(s.KeyComparer, EqualityComparer<T>.Default));

    [For(typeof(ImmutableSortedSet<>))]
    private static ValueCodec ImmutableSortedSet<T>(ValueCodec<T> e) =>
        Sequence<ImmutableSortedSet<T>, T>(e, s => s, a => a is null ? null! : System.Collections.Immutable.ImmutableSortedSet.Create(a), s => ReferenceEquals(s.KeyComparer, Comparer<T>.Default));

    [For(typeof(SortedDictionary<,>))]
    private static ValueCodec SortedDictionary<TKey, TValue>(DictionaryCodec<TKey, TValue> pairs)
        where TKey : notnull =>
        new RebuiltDictionaryCodec<SortedDictionary<TKey, TValue>, TKey, TValue>(pairs, d => new(d), d => ReferenceEquals(d.Comparer, Comparer<TKey>.Default));

    [For(typeof(SortedList<,>))]
    private static ValueCodec SortedList<TKey, TValue>(DictionaryCodec<TKey, TValue> pairs)
        where TKey : notnull =>
        new RebuiltDictionaryCodec<SortedList<TKey, TValue>, TKey, TValue>(pairs, d => new(d), d => ReferenceEquals(d.Comparer, Comparer<TKey>.Default));

    [For(typeof(ImmutableDictionary<,>))]
    private static ValueCodec ImmutableDictionary<TKey, TValue>(DictionaryCodec<TKey, TValue> pairs)
        where TKey : notnull =>
        new RebuiltDictionaryCodec<ImmutableDictionary<TKey, TValue>, TKey, TValue>(
            pairs,
            d => System.Collections.Immutable.ImmutableDictionary.CreateRange(d),
            d => ReferenceEquals(d.KeyComparer, EqualityComparer<TKey>.Default) && ReferenceEquals(d.ValueComparer, EqualityComparer<TValue>.Default));

    [For(typeof(ImmutableSortedDictionary<,>))]
    private static ValueCodec ImmutableSortedDictionary<TKey, TValue>(DictionaryCodec<TKey, TValue> pairs)
        where TKey : notnull =>
        new RebuiltDictionaryCodec<ImmutableSortedDictionary<TKey, TValue>, TKey, TValue>(
            pairs,
            d => System.Collections.Immutable.ImmutableSortedDictionary.CreateRange(d),
            d => ReferenceEquals(d.KeyComparer, Comparer<TKey>.Default) && ReferenceEquals(d.ValueComparer, EqualityComparer<TValue>.Default));

    private static RebuiltSequenceCodec<TCollection, T> Sequence<TCollection, T>(ValueCodec<T> element, Func<TCollection, IEnumerable<T>?> items, Func<T[]?, TCollection> rebuild, Func<TCollection, bool>? hasDefaultComparer = null) =>
        new(element, items, rebuild, hasDefaultComparer ?? (_ => true));

    [AttributeUsage(AttributeTargets.Method)]
    private sealed class ForAttribute(Type definition) : Attribute
    {
        public Type Definition => definition;
    }
}
