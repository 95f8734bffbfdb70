namespace StreamLinq.Scheduling;

/// <summary>
/// Batch times on a <see cref="TimeProvider"/>: the current time in ticks since the Unix epoch
/// (the epoch of <see cref="BatchTime"/>). The waits for a boundary are <see cref="BoundaryWait"/>'s.
/// </summary>
internal static class BatchTimer
{
    /// <summary>The provider's current UTC time, in 100-nanosecond ticks since the Unix epoch.</summary>
    public static long UnixTicks(this TimeProvider time) => time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
}
