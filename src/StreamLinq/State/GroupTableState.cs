using System.Reflection;
using System.Text.Json;
using StreamLinq.Execution;
using StreamLinq.State.Codecs;

namespace StreamLinq.State;

/// <summary>
/// Writes a hash aggregation's <see cref="GroupTable{TKey}"/> through <see cref="StateCodecs"/>:
/// <c>{ "keys": [...], "columns": [{ field: [...] }, ...] }</c>, each aggregate column as the
/// used slots of each of its array fields (sums, counts, compensations...), so a column's
/// layout is written whatever accumulators it keeps. Reads it back into a table with the same
/// columns, keys in the same slots.
/// </summary>
internal static class GroupTableState
{
    public static void Write<TKey>(Utf8JsonWriter writer, GroupTable<TKey> table)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("keys");
        StateCodecs.ArrayOf(typeof(TKey)).WritePrefix(writer, table.Keys, table.Count);
        writer.WriteStartArray("columns");
        foreach (var column in table.Columns)
        {
            writer.WriteStartObject();
            foreach (var field in Fields(column))
            {
                writer.WritePropertyName(field.Name);
                StateCodecs.ArrayOf(field.FieldType.GetElementType()!).WritePrefix(writer, (Array)field.GetValue(column)!, table.Count);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <exception cref="InvalidDataException">The data does not match the table's layout.</exception>
    public static GroupTable<TKey> Read<TKey>(JsonElement state, AggregateColumn[] columns)
    {
        var keys = StateCodecs.For<TKey[]>().Read(state.GetProperty("keys")) ?? throw new InvalidDataException("A group table needs its keys.");
        var table = new GroupTable<TKey>(columns);
        foreach (var key in keys)
        {
            table.FindOrAdd(key, out var isNew);
            if (!isNew)
            {
                throw new InvalidDataException("A group table in the checkpoint holds a key twice.");
            }
        }

        var saved = state.GetProperty("columns").EnumerateArray().ToArray();
        if (saved.Length != columns.Length)
        {
            throw new InvalidDataException($"A group table has {columns.Length} aggregate columns; the state holds {saved.Length}.");
        }

        for (var c = 0; c < columns.Length; c++)
        {
            var column = columns[c];
            column.Grow(keys.Length);
            foreach (var field in Fields(column))
            {
                // Checkpoints written before columns were objects hold each column's values as an
                // array, and nothing else: a column's other arrays (a wide sum's Low and Carry) are
                // what its loop accumulates within a batch, sealed into the values and empty after
                // it, so they start empty, as in a fresh column.
                if (saved[c].ValueKind == JsonValueKind.Array && field.Name != "Values")
                {
                    continue;
                }

                var json = saved[c].ValueKind == JsonValueKind.Array ? saved[c]
                    : saved[c].ValueKind == JsonValueKind.Object && saved[c].TryGetProperty(field.Name, out var named) ? named
                    : throw new InvalidDataException($"Aggregate column {c} ({column.GetType().Name}) in the checkpoint has no '{field.Name}'.");

                var values = StateCodecs.ArrayOf(field.FieldType.GetElementType()!).ReadArray(json);
                if (values.Length != keys.Length)
                {
                    throw new InvalidDataException($"Aggregate column {c} holds {values.Length} values of '{field.Name}' for {keys.Length} keys.");
                }

                var target = (Array?)field.GetValue(column);
                if (target is null || target.Length < keys.Length)
                {
                    target = Array.CreateInstance(field.FieldType.GetElementType()!, Math.Max(keys.Length, 16));
                    field.SetValue(column, target);
                }

                Array.Copy(values, target, keys.Length);
            }
        }

        return table;
    }

    /// <summary>
    /// A column's state: its array fields (one value per slot), the base class's first. Other
    /// fields are the column's configuration, which the constructor of the fresh column sets.
    /// </summary>
    private static IEnumerable<FieldInfo> Fields(AggregateColumn column)
    {
        var fields = new List<FieldInfo>();
        for (var type = column.GetType(); type is not null && type != typeof(object); type = type.BaseType)
        {
            fields.InsertRange(0, type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly).Where(f => f.FieldType.IsSZArray));
        }

        return fields;
    }
}
