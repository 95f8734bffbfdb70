using StreamLinq.Sinks;

namespace StreamLinq;

/// <summary>
/// Output operations: each one makes a stream's query run on every batch and hands the
/// batch's records to a sink. Nothing runs without one. Output operations run in the order
/// they were defined, one batch at a time.
/// </summary>
/// <remarks>
/// An exception thrown by a sink fails the batch: it is reported with the batch time and the
/// output operation, and by default stops the context, surfacing from
/// <see cref="StreamingContext.AwaitTerminationAsync"/>. Each operation takes the
/// <see cref="DeliveryGuarantee"/> it needs; at least once is the default.
/// </remarks>
public static class DStreamOutput
{
    /// <summary>
    /// Prints the first <paramref name="count"/> records of every batch, under a header with the
    /// batch time, as Spark's <c>print</c> does.
    /// </summary>
    /// <typeparam name="T">The type of the records.</typeparam>
    /// <param name="source">The stream to print.</param>
    /// <param name="count">How many records to print per batch; "..." marks a batch with more.</param>
    /// <param name="writer">Where to print; the console when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">The context has already started.</exception>
    public static void Print<T>(this IDStream<T> source, int count = 10, TextWriter? writer = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var sink = new PrintSink<T>(count, writer);
        Register(source, "Print", sink, sink.WriteBatchAsync, DeliveryGuarantee.AtMostOnce);
    }

    /// <summary>Runs an action on every batch (Spark's <c>foreachRDD</c>).</summary>
    /// <typeparam name="T">The type of the records.</typeparam>
    /// <param name="source">The stream.</param>
    /// <param name="action">
    /// Receives the batch's records and its batch time. The list is the batch's own and may be
    /// kept; it is an array, or a list over several arrays when eager work made the batch
    /// (<see cref="StreamingOptions.EagerWorkMinInterval"/>): read it through the interface.
    /// </param>
    /// <param name="delivery">
    /// What a crash may do to this output. Under at least once (the default) a batch can be
    /// handed to <paramref name="action"/> again, with the same batch time, after a restart.
    /// </param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">The context has already started.</exception>
    public static void ForEachBatch<T>(this IDStream<T> source, Action<IReadOnlyList<T>, BatchTime> action, DeliveryGuarantee delivery = DeliveryGuarantee.AtLeastOnce)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(action);
        Register(source, "ForEachBatch", action, (batch, time, _) =>
        {
            action(batch, time);
            return Task.CompletedTask;
        }, delivery);
    }

    /// <summary>Runs an asynchronous action on every batch (Spark's <c>foreachRDD</c>).</summary>
    /// <typeparam name="T">The type of the records.</typeparam>
    /// <param name="source">The stream.</param>
    /// <param name="action">
    /// Receives the batch's records (as the other overload's), its batch time and a token
    /// cancelled on an abrupt stop.
    /// </param>
    /// <param name="delivery">
    /// What a crash may do to this output. Under at least once (the default) a batch can be
    /// handed to <paramref name="action"/> again, with the same batch time, after a restart.
    /// </param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">The context has already started.</exception>
    public static void ForEachBatch<T>(this IDStream<T> source, Func<IReadOnlyList<T>, BatchTime, CancellationToken, Task> action, DeliveryGuarantee delivery = DeliveryGuarantee.AtLeastOnce)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(action);
        Register(source, "ForEachBatch", action, action, delivery);
    }

    /// <summary>Writes every batch to a sink.</summary>
    /// <typeparam name="T">The type of the records.</typeparam>
    /// <param name="source">The stream.</param>
    /// <param name="sink">The sink; its <see cref="IIdempotentSink"/> or <see cref="ITransactionalSink"/> marker tells which guarantees it can give.</param>
    /// <param name="delivery">What a crash may do to this output.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">The context has already started.</exception>
    public static void WriteTo<T>(this IDStream<T> source, IBatchSink<T> sink, DeliveryGuarantee delivery = DeliveryGuarantee.AtLeastOnce)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(sink);
        CheckDelivery(delivery);
        var name = "WriteTo(" + SinkName(sink.GetType()) + ")";
        if (sink is ITransactionalSink<T> transactional)
        {
            // The commit token travels with the batch so that the sink can recognise a replay.
            source.Context.AddOutput(new OutputOperation<T>(name, source.Expression, sink, transactional.CommitBatchAsync, delivery));
            return;
        }

        Register(source, name, sink, sink.WriteBatchAsync, delivery);
    }

    /// <summary>
    /// Saves every batch as a folder of text files named <c>prefix-TIME_IN_MS[.suffix]</c>, one
    /// record per line (Spark's <c>saveAsTextFiles</c>).
    /// </summary>
    /// <typeparam name="T">The type of the records; each is written with <see cref="object.ToString"/>.</typeparam>
    /// <param name="source">The stream.</param>
    /// <param name="prefix">The path prefix of the folders, e.g. <c>out/counts</c>.</param>
    /// <param name="suffix">An optional suffix, e.g. <c>txt</c>.</param>
    /// <param name="delivery">What a crash may do to this output.</param>
    /// <remarks>
    /// A batch is written under a temporary name and renamed, so a reader never sees half a
    /// batch. A replayed batch replaces its folder: the sink is idempotent by batch time.
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="prefix"/> is empty.</exception>
    /// <exception cref="InvalidOperationException">The context has already started.</exception>
    public static void SaveAsTextFiles<T>(this IDStream<T> source, string prefix, string? suffix = null, DeliveryGuarantee delivery = DeliveryGuarantee.AtLeastOnce)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var sink = new TextFilesSink<T>(prefix, suffix);
        Register(source, "SaveAsTextFiles(" + prefix + ")", sink, sink.WriteBatchAsync, delivery);
    }

    private static void Register<T>(IDStream<T> source, string name, object target, Func<IReadOnlyList<T>, BatchTime, CancellationToken, Task> write, DeliveryGuarantee delivery)
    {
        CheckDelivery(delivery);
        source.Context.AddOutput(new OutputOperation<T>(name, source.Expression, target, (batch, commit, token) => write(batch, commit.Time, token), delivery));
    }

    private static void CheckDelivery(DeliveryGuarantee delivery)
    {
        if (!Enum.IsDefined(delivery))
        {
            throw new ArgumentOutOfRangeException(nameof(delivery), delivery, "Unknown delivery guarantee.");
        }
    }

    private static string SinkName(Type type)
    {
        var tick = type.Name.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? type.Name : type.Name[..tick];
    }
}
