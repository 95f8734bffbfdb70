using System.Collections.Concurrent;
using StreamLinq.Sources;

namespace StreamLinq;

/// <summary>The built-in sources: each call adds an input to the context and returns its stream.</summary>
/// <remarks>
/// Push sources (observables, async sequences, sockets) run a receiver that stores records
/// until the next batch is sealed, under the <see cref="ReceiverOptions"/> rate limit. Sources
/// must be added before the context starts.
/// </remarks>
public static class StreamingContextSources
{
    /// <summary>A stream of the values an observable pushes; each batch holds those pushed during its interval.</summary>
    /// <typeparam name="T">The type of the values.</typeparam>
    /// <param name="context">The context.</param>
    /// <param name="source">The observable; subscribed when the context starts, unsubscribed when it stops.</param>
    /// <param name="options">Rate limit and buffer bound; a limited OnNext blocks the producer.</param>
    /// <returns>The stream.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">The context has already started.</exception>
    public static IDStream<T> FromObservable<T>(this StreamingContext context, IObservable<T> source, ReceiverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(source);
        return context.AddInput(new ObservableSource<T>(source, options));
    }

    /// <summary>A stream of the values of an asynchronous sequence, pulled on a background task.</summary>
    /// <typeparam name="T">The type of the values.</typeparam>
    /// <param name="context">The context.</param>
    /// <param name="source">The sequence; enumerated from when the context starts until it ends or the context stops.</param>
    /// <param name="options">Rate limit and buffer bound; a limited pull waits.</param>
    /// <returns>The stream.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">The context has already started.</exception>
    public static IDStream<T> FromAsyncEnumerable<T>(this StreamingContext context, IAsyncEnumerable<T> source, ReceiverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(source);
        return context.AddInput(new AsyncEnumerableSource<T>(source, options));
    }

    /// <summary>
    /// Spark's <c>queueStream</c>: each batch takes the next collection from the queue (or, with
    /// <paramref name="oneAtATime"/> false, all queued collections); an empty queue gives an empty batch.
    /// </summary>
    /// <typeparam name="T">The type of the records.</typeparam>
    /// <param name="context">The context.</param>
    /// <param name="queue">The queue; collections may be added while the context runs.</param>
    /// <param name="oneAtATime">Whether each batch takes one collection or all.</param>
    /// <returns>The stream.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">The context has already started.</exception>
    public static IDStream<T> QueueStream<T>(this StreamingContext context, ConcurrentQueue<IEnumerable<T>> queue, bool oneAtATime = true)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(queue);
        return context.AddInput(new QueueSource<T>(queue, oneAtATime));
    }

    /// <summary>A stream of the newline-delimited UTF-8 lines a TCP server sends.</summary>
    /// <param name="context">The context.</param>
    /// <param name="host">The server's host name or address.</param>
    /// <param name="port">The server's port.</param>
    /// <param name="options">Line length limit, reconnection back-off and receiver options.</param>
    /// <returns>The stream of lines, without their line terminators.</returns>
    /// <remarks>
    /// The receiver connects when the context starts and reconnects with exponential back-off
    /// whenever the connection fails or the peer closes it; every such event, and every line
    /// longer than <see cref="SocketTextStreamOptions.MaxLineLength"/>, is reported to
    /// <see cref="IStreamingListener.OnSourceError"/>. Lines received are not replayable.
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The port or an option is out of range.</exception>
    /// <exception cref="InvalidOperationException">The context has already started.</exception>
    public static IDStream<string> SocketTextStream(this StreamingContext context, string host, int port, SocketTextStreamOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrEmpty(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        options ??= new SocketTextStreamOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxLineLength, 1, nameof(options));
        return context.AddInput(new SocketTextSource(host, port, options));
    }

    /// <summary>
    /// Spark's <c>textFileStream</c>: each batch reads, as UTF-8 lines, the files that appeared in
    /// <paramref name="directory"/> since the previous batch.
    /// </summary>
    /// <param name="context">The context.</param>
    /// <param name="directory">The directory to watch; it must exist when the context starts.</param>
    /// <returns>The stream of lines.</returns>
    /// <remarks>
    /// Move files into the directory atomically (write elsewhere, then rename); names starting
    /// with '.' or '_' are ignored. Each file is taken once, oldest modification time first.
    /// A file that cannot be read or is not valid UTF-8 fails its batch with a message naming
    /// the file and line.
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">The context has already started.</exception>
    public static IDStream<string> TextFileStream(this StreamingContext context, string directory)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return context.AddInput(new DirectoryTextSource(Path.GetFullPath(directory)));
    }
}
