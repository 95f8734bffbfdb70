using StreamLinq.Bench;

namespace StreamLinq.QueryEndToEnd;

/// <summary>A benchmark record, as bench/StreamLinq.Benchmarks': a value type of 24 bytes.</summary>
internal readonly record struct Record(int Key, long Value, long Timestamp) : IKeyValue;

/// <summary>One group's result, as a value type.</summary>
internal readonly record struct GroupStats(int Key, int Count, long Sum);

/// <summary>A row of the static table.</summary>
internal readonly record struct Dimension(int Id, long Weight) : IWeightedRow;

/// <summary>The inputs, generated once per batch size with a fixed seed.</summary>
internal static class Workload
{
    public const int KeyCount = 1_000;

    public const int LargeTableRows = 100_000;

    public static Record[] Records(int count, int seed = 42)
    {
        var random = new Random(seed);
        var records = new Record[count];
        for (var i = 0; i < count; i++)
        {
            records[i] = new Record(random.Next(KeyCount), random.Next(1_000_000), i);
        }

        return records;
    }

    public static Dimension[] Table(int rows = KeyCount) =>
        [.. Enumerable.Range(0, rows).Select(i => new Dimension(i, i % 7 + 1))];
}
