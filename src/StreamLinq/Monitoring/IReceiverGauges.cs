namespace StreamLinq.Monitoring;

/// <summary>What the metrics and the dashboard show of a push source's receiver.</summary>
internal interface IReceiverGauges
{
    /// <summary>Records stored and not yet sealed into a batch.</summary>
    int Buffered { get; }

    /// <summary>The most records the buffer holds before it holds the producer back.</summary>
    int Capacity { get; }

    /// <summary>The rate the receiver accepts now, in records per second; null when unlimited.</summary>
    double? RateLimit { get; }
}
