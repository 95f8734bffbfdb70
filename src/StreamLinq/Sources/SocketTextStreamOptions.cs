namespace StreamLinq;

/// <summary>Options of <see cref="StreamingContextSources.SocketTextStream"/>.</summary>
public sealed record SocketTextStreamOptions
{
    /// <summary>
    /// The longest line accepted, in bytes without the newline. A longer line is rejected: it is
    /// reported to the listeners with the source's name and skipped up to its newline, never
    /// buffered whole. Default 1 MiB.
    /// </summary>
    public int MaxLineLength { get; init; } = 1 << 20;

    /// <summary>The wait before the first reconnection attempt; doubled after each failure.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest wait between reconnection attempts.</summary>
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How the receiver stores the lines.</summary>
    public ReceiverOptions Receiver { get; init; } = new();
}
