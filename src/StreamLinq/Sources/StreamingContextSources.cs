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
    /// <remarks>
    /// A queued <c>T[]</c> becomes the batch's records as it is, without a copy (with
    /// <paramref name="oneAtATime"/> false, only when it is the one collection queued for the batch;
    /// several are copied into one array). The engine never writes to it, but it reads it while the
    /// batch runs and, under a window, for as long as the window covers that batch: writing to the
    /// array after enqueueing it races with the batches that read it and is the caller's to avoid.
    /// Any other collection is enumerated once, when its batch is sealed. Not replayable: after a
    /// failure the queued collections already taken are not taken again.
    /// </remarks>
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
    /// <para>The receiver connects when the context starts and reconnects with exponential back-off
    /// whenever the connection fails or the peer closes it; every such event is reported to
    /// <see cref="IStreamingListener.OnSourceError"/>. Lines received are not replayable unless
    /// <see cref="ReceiverOptions.WriteAheadLog"/> is on.</para>
    /// <para>Line endings: a line ends at '\n'; every '\r' right before it is dropped, so "a\r\n" and
    /// "a\r\r\n" both give "a"; a '\r' elsewhere is data. Bytes after the last '\n' when the
    /// connection closes or is reset are not a line.</para>
    /// <para>Nothing is dropped silently: a line longer than <see cref="SocketTextStreamOptions.MaxLineLength"/>,
    /// a line that is not valid UTF-8 (under <see cref="SocketTextStreamOptions.BadRecordPolicy"/>) and an
    /// unterminated tail are each reported to <see cref="IStreamingListener.OnRecordsDropped"/> with the
    /// connection, byte offset and byte count, and counted by the metric <c>streamlinq.bytes.dropped</c>.</para>
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The port or an option is out of range.</exception>
    /// <exception cref="ArgumentException">The dead-letter policy is chosen without a dead-letter directory.</exception>
    /// <exception cref="InvalidOperationException">The context has already started.</exception>
    public static IDStream<string> SocketTextStream(this StreamingContext context, string host, int port, SocketTextStreamOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrEmpty(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        options ??= new SocketTextStreamOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxLineLength, 1, nameof(options));
        if (!Enum.IsDefined(options.BadRecordPolicy))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BadRecordPolicy, $"{nameof(SocketTextStreamOptions)}.{nameof(SocketTextStreamOptions.BadRecordPolicy)} is not a {nameof(BadRecordPolicy)}.");
        }

        if (options.BadRecordPolicy == BadRecordPolicy.DeadLetter && string.IsNullOrEmpty(options.DeadLetterDirectory))
        {
            throw new ArgumentException($"{nameof(SocketTextStreamOptions)}.{nameof(SocketTextStreamOptions.BadRecordPolicy)} is {nameof(BadRecordPolicy.DeadLetter)} but {nameof(SocketTextStreamOptions.DeadLetterDirectory)} is not set.", nameof(options));
        }

        return context.AddInput(new SocketTextSource(host, port, options));
    }

    /// <summary>
    /// Spark's <c>textFileStream</c>: each batch reads, as UTF-8 lines, the files that appeared in
    /// <paramref name="directory"/> since the previous batch.
    /// </summary>
    /// <param name="context">The context.</param>
    /// <param name="directory">The directory to watch; it must exist when the context starts.</param>
    /// <param name="options">The bad-file policy, its dead-letter directory and the read buffer; defaults when null.</param>
    /// <returns>The stream of lines, without their line terminators.</returns>
    /// <remarks>
    /// <para>Move files into the directory atomically (write elsewhere, then rename); names starting
    /// with '.' or '_' are ignored. Each file is taken once, oldest modification time first, and
    /// streamed: memory holds the batch's records, not the files' bytes.</para>
    /// <para>Lines end at '\n'; carriage returns right before it are dropped ("a\r\r\n" gives "a"),
    /// a '\r' elsewhere is kept; the last line needs no terminator; a UTF-8 byte order mark at the
    /// start of a file is skipped. Bytes are decoded as strict UTF-8.</para>
    /// <para>A file that is not valid UTF-8, cannot be read, or was deleted after its batch was
    /// sealed is handled by <see cref="TextFileStreamOptions.BadRecordPolicy"/>: by default it is
    /// moved to a dead-letter directory and reported to <see cref="IStreamingListener.OnRecordsDropped"/>,
    /// and the stream goes on.</para>
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="InvalidOperationException">The context has already started.</exception>
    public static IDStream<string> TextFileStream(this StreamingContext context, string directory, TextFileStreamOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        options ??= new TextFileStreamOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ReadBufferSize, 1, nameof(options));
        if (!Enum.IsDefined(options.BadRecordPolicy))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BadRecordPolicy, $"{nameof(TextFileStreamOptions)}.{nameof(TextFileStreamOptions.BadRecordPolicy)} is not a {nameof(BadRecordPolicy)}.");
        }

        return context.AddInput(new DirectoryTextSource(Path.GetFullPath(directory), options));
    }
}
