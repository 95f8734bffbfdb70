namespace StreamLinq;

/// <summary>How a push source's receiver stores the records it is given.</summary>
public sealed record ReceiverOptions
{
    /// <summary>
    /// The most records per second the receiver accepts; a faster producer is slowed down
    /// (its push blocks) rather than buffered without bound. Null means no limit.
    /// </summary>
    public double? MaxRatePerSecond { get; init; }

    /// <summary>
    /// The most records held between two batches; a producer that finds the buffer full waits
    /// until the next batch is sealed.
    /// </summary>
    public int BufferCapacity { get; init; } = 1_000_000;
}
