using System.Diagnostics;

namespace StreamLinq.ClusterBenchmark;

/// <summary>
/// A clock that runs a million times faster than the real one: a job on it always has its next
/// batch due, so its driver runs batches back to back and the batches per second measure what a
/// batch costs, not the interval.
/// </summary>
internal sealed class FastClock : TimeProvider
{
    private const long Speed = 1_000_000;
    private readonly DateTimeOffset _start = System.GetUtcNow();
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();

    public override DateTimeOffset GetUtcNow() => _start + TimeSpan.FromTicks(_elapsed.Elapsed.Ticks * Speed);
}
