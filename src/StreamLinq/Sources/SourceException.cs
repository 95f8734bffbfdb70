namespace StreamLinq;

/// <summary>An input could not be received or read. The message names the source and what was wrong.</summary>
public sealed class SourceException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="source">The source's name.</param>
    /// <param name="message">What was wrong, and where.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public SourceException(string source, string message, Exception? innerException = null)
        : base($"{source}: {message}", innerException) => SourceName = source;

    /// <summary>The name of the source that failed, e.g. <c>SocketTextStream(127.0.0.1:9999)</c>.</summary>
    public string SourceName { get; }

    /// <summary>
    /// Whether the failure may go away by itself (a server that timed out or could not be
    /// reached), so that reading the batch again can succeed; the default
    /// <see cref="StreamingOptions.IsTransient"/> retries such a batch. False for a source that
    /// failed for good (an observable's <c>OnError</c>, a file that cannot be decoded).
    /// </summary>
    public bool IsTransient { get; init; }
}
