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

    /// <summary>
    /// What the receiver does with a line that is not valid UTF-8 (lines are never decoded with
    /// U+FFFD replacement). Default <see cref="BadRecordPolicy.Skip"/>: the line is left out and
    /// reported to <see cref="IStreamingListener.OnRecordsDropped"/> with its connection, byte offset
    /// and length, and counted in the metrics; the lines after it arrive.
    /// <see cref="BadRecordPolicy.DeadLetter"/> also appends the line's raw bytes and a '\n' to a file
    /// in <see cref="DeadLetterDirectory"/> (required then). <see cref="BadRecordPolicy.Fail"/> stops the
    /// receiver at the bad line: the lines before it are delivered, then every batch fails with a
    /// <see cref="SourceException"/> naming the byte offset.
    /// </summary>
    public BadRecordPolicy BadRecordPolicy { get; init; } = BadRecordPolicy.Skip;

    /// <summary>
    /// Where <see cref="BadRecordPolicy.DeadLetter"/> appends bad lines, to a file named after the
    /// host and port (created owner-only on Unix); must be set with that policy.
    /// </summary>
    public string? DeadLetterDirectory { get; init; }

    /// <summary>How the receiver stores the lines.</summary>
    public ReceiverOptions Receiver { get; init; } = new();
}
