namespace StreamLinq.Latency;

/// <summary>A record with the moment it was due from the producer, in <see cref="System.Diagnostics.Stopwatch"/> ticks.</summary>
internal readonly record struct Stamped(long Stamp, int Key, long Value);
