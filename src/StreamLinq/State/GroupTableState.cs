using System.Reflection;
using System.Text.Json;
using StreamLinq.Execution;

namespace StreamLinq.State;

/// <summary>
/// Writes a hash aggregation's <see cref="GroupTable{TKey}"/> (keys and aggregate columns) as
/// plain JSON, <c>{ "keys": [...], "columns": [[...], ...] }</c>, and reads it back into a table
/// with the same columns.
/// </summary>
internal static class GroupTableState
{
    public static void Write<TKey>(Utf8JsonWriter writer, GroupTable<TKey> table)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("keys");
        JsonSerializer.Serialize(writer, table.Keys.AsSpan(0, table.Count).ToArray());
        writer.WriteStartArray("columns");
        foreach (var column in table.Columns)
        {
            var values = Values(column);
            var used = Array.CreateInstance(values.GetType().GetElementType()!, table.Count);
            Array.Copy(values, used, table.Count);
            JsonSerializer.Serialize(writer, used, used.GetType());
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <exception cref="InvalidDataException">The data does not match the table's layout.</exception>
    public static GroupTable<TKey> Read<TKey>(JsonElement state, AggregateColumn[] columns)
    {
        var keys = state.GetProperty("keys").Deserialize<TKey[]>() ?? throw new InvalidDataException("A group table needs its keys.");
        var table = new GroupTable<TKey>(columns);
        foreach (var key in keys)
        {
            table.FindOrAdd(key, out _);
        }

        var saved = state.GetProperty("columns").EnumerateArray().ToArray();
        if (saved.Length != columns.Length)
        {
            throw new InvalidDataException($"A group table has {columns.Length} aggregate columns; the state holds {saved.Length}.");
        }

        for (var c = 0; c < columns.Length; c++)
        {
            var target = Values(columns[c]);
            var values = (Array?)saved[c].Deserialize(target.GetType());
            if (values is null || values.Length != keys.Length)
            {
                throw new InvalidDataException($"Aggregate column {c} holds {values?.Length ?? 0} values for {keys.Length} keys.");
            }

            columns[c].Grow(keys.Length);
            Array.Copy(values, Values(columns[c]), keys.Length);
        }

        return table;
    }

    private static Array Values(AggregateColumn column) =>
        (Array)column.GetType().GetField("Values", BindingFlags.Public | BindingFlags.Instance)!.GetValue(column)!;
}
