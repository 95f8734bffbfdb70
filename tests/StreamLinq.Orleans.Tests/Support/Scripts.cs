namespace StreamLinq.Orleans.Tests.Support;

/// <summary>Scripts from FsCheck's arrays: each inner array is one batch, dealt over the partitions record by record.</summary>
public static class Scripts
{
    public const int Partitions = 3;

    public static Script<int> From(int[][] input, int modulo = 10, int maxBatches = 4) =>
        new((input ?? []).Take(maxBatches)
            .Append([])
            .Select(batch => Enumerable.Range(0, Partitions)
                .Select(p => (batch ?? []).Where((_, i) => i % Partitions == p).Select(x => Math.Abs(x % modulo)).ToArray())
                .ToArray())
            .ToArray());
}
