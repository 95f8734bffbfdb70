using StreamLinq.Bench;

namespace StreamLinq.Benchmarks;

/// <summary>The benchmarks' record: what a metrics or click stream carries.</summary>
public readonly record struct Record(int Key, long Value, long Timestamp) : IKeyValue;

/// <summary>One group's result in the grouped benchmarks.</summary>
public readonly record struct KeyStats(int Key, long Count, long Sum);

/// <summary>A row of the static table the join benchmark joins with.</summary>
public sealed record Dimension(int Id, long Weight) : IWeightedRow;

/// <summary>The pre-generated inputs, the same for every way a query is run.</summary>
public static class Workload
{
    /// <summary>Records per batch; the benchmarks report time per record.</summary>
    public const int BatchSize = 1_000_000;

    /// <summary>Lines per batch for the SelectMany benchmark (8 words each).</summary>
    public const int LineCount = 200_000;

    public const int KeyCount = 1_000;

    public static Record[] Records(int count = BatchSize, int keys = KeyCount)
    {
        var random = new Random(42);
        var records = new Record[count];
        for (var i = 0; i < count; i++)
        {
            records[i] = new Record(random.Next(keys), random.Next(1_000_000), 1_700_000_000_000 + i);
        }

        return records;
    }

    public static string[] Lines(int count = LineCount)
    {
        var random = new Random(7);
        var lines = new string[count];
        for (var i = 0; i < count; i++)
        {
            lines[i] = string.Join(' ', Enumerable.Range(0, 8).Select(_ => "w" + random.Next(10_000)));
        }

        return lines;
    }

    /// <summary>The static table: one row per key, so every record finds its match.</summary>
    public static Dimension[] Table(int rows = KeyCount) =>
        [.. Enumerable.Range(0, rows).Select(i => new Dimension(i, i % 7 + 1))];
}
