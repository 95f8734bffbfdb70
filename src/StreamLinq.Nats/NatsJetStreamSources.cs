using NATS.Client.Core;

namespace StreamLinq.Nats;

/// <summary>NATS JetStream as a StreamLinq source.</summary>
public static class NatsJetStreamSources
{
    /// <summary>
    /// A stream of the messages of a JetStream stream, read by stream sequence ranges with one
    /// range per subject (the subjects are its partitions): each batch takes, from each subject,
    /// the messages after the last sequence read, at most
    /// <see cref="NatsJetStreamOptions.MaxMessagesPerBatch"/> of them. The range is resolved when
    /// the batch is processed, not when it is sealed.
    /// </summary>
    /// <param name="context">The context.</param>
    /// <param name="nats">The NATS connection; owned by the caller.</param>
    /// <param name="stream">The JetStream stream's name; it must exist.</param>
    /// <param name="subjects">
    /// The subjects to read, each one partition (a subject filter such as <c>orders.eu</c>; wildcards
    /// are allowed but two subjects must not match one message). A batch holds their messages
    /// subject by subject, each in sequence order.
    /// </param>
    /// <param name="options">Batch size, starting point and time-out; defaults when null.</param>
    /// <returns>The stream of messages.</returns>
    /// <remarks>
    /// Replayable: each batch records the sequence range it read from each subject, so that a
    /// batch pending at a crash is read again exactly, and the checkpoint holds each subject's last
    /// sequence read. With a transactional or idempotent sink it gives
    /// <see cref="DeliveryGuarantee.ExactlyOnce"/>, as long as the stream's limits (max age,
    /// messages, bytes) do not remove a pending batch's messages before it is replayed. Nothing is
    /// acknowledged to the server: the checkpoint, not a durable consumer, keeps the positions.
    /// A server that is down or restarting fails the batch being read with a transient
    /// <see cref="SourceException"/>; the restart strategy retries it from the same position.
    /// With <see cref="StreamingOptions.BackPressure"/> the rate estimator lowers the messages a
    /// batch takes below the maximum when batches fall behind.
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The stream name is empty, or no subject is given, or one is empty or repeated.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="InvalidOperationException">The context has already started.</exception>
    public static IDStream<NatsMessage> NatsJetStream(this StreamingContext context, INatsConnection nats, string stream, IEnumerable<string> subjects, NatsJetStreamOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(nats);
        ArgumentException.ThrowIfNullOrEmpty(stream);
        ArgumentNullException.ThrowIfNull(subjects);
        var filters = subjects.ToArray();
        if (filters.Length == 0 || filters.Any(string.IsNullOrEmpty) || filters.Distinct(StringComparer.Ordinal).Count() != filters.Length)
        {
            throw new ArgumentException("Give at least one subject, none empty or repeated.", nameof(subjects));
        }

        options ??= new NatsJetStreamOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxMessagesPerBatch, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.OperationTimeout, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.OperationTimeout, TimeSpan.FromDays(24), nameof(options));
        return context.AddInput(new NatsJetStreamSource(nats, stream, filters, options));
    }
}
