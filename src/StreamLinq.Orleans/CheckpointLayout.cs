namespace StreamLinq.Orleans;

/// <summary>
/// Where a cluster job's checkpoint parts live in its one <see cref="Checkpointing.ICheckpointStore"/>:
/// the driver's record <c>n</c> under <c>n × Stride</c>, and key partition <c>k</c>'s state written
/// for it under <c>n × Stride + 1 + k</c>. Each reducer writes its own part, so keyed state (user
/// records) never passes through the driver; the driver's record names the parts it needs.
/// Epoch <c>e</c>'s claim is under <c>e</c> (record 0's part range, which no record uses: records
/// start at 1): the driver that creates it owns the epoch.
/// </summary>
internal static class CheckpointLayout
{
    /// <summary>Room for <see cref="Stride"/> − 1 key partitions per record.</summary>
    public const long Stride = 1L << 20;

    public const int MaxKeyPartitions = (int)Stride - 1;

    /// <summary>The highest epoch a claim has room for.</summary>
    public const long MaxEpoch = Stride - 1;

    public static long Claim(long epoch) => epoch;

    public static bool IsClaim(long sequence) => sequence is > 0 and <= MaxEpoch;

    public static long Record(long n) => n * Stride;

    public static long Part(long n, int keyPartition) => (n * Stride) + 1 + keyPartition;

    public static bool IsRecord(long sequence) => sequence % Stride == 0;

    /// <summary>The record a sequence number belongs to (its own, or the one a part was written for).</summary>
    public static long RecordOf(long sequence) => sequence / Stride;
}
