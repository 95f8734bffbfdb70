using FsCheck;
using FsCheck.Fluent;

namespace StreamLinq.Orleans.Tests.Support;

/// <summary>
/// FsCheck's scripts for the cluster properties (<c>[Property(Arbitrary = [typeof(Scripts)])]</c>):
/// 2 to 4 batches over 3 partitions, each partition 0 to 6 records per batch, values 0 to 99,
/// at least one record in all; then an empty batch, so windows and watermarks move past the data.
/// </summary>
public static class Scripts
{
    public const int Partitions = 3;

    private static Gen<int[]> PartitionBatch => Gen.Choose(0, 6).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 99), n));

    private static Gen<int[][]> Batch => Gen.ArrayOf(PartitionBatch, Partitions);

    public static Arbitrary<Script<int>> Script() =>
        Arb.From(Gen.Choose(2, 4)
            .SelectMany(n => Gen.ArrayOf(Batch, n))
            .Where(batches => batches.Any(b => b.Any(p => p.Length > 0)))
            .Select(batches => new Script<int>([.. batches, [.. Enumerable.Repeat(Array.Empty<int>(), Partitions)]])));
}
