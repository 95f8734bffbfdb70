namespace StreamLinq;

/// <summary>
/// What a source does with input it cannot turn into records: bytes that are not valid UTF-8,
/// a file that vanished or cannot be read, a write-ahead log segment that is missing or damaged.
/// Nothing is ever changed silently: every record or byte left out is reported to
/// <see cref="IStreamingListener.OnRecordsDropped"/> and counted by the metric
/// <c>streamlinq.records.dropped</c> (and <c>streamlinq.bytes.dropped</c>) of the meter <c>StreamLinq</c>.
/// </summary>
/// <remarks>
/// The policy applies each time the input is read, the same way: a batch replayed after a restart
/// leaves out the same records (with <see cref="Skip"/>) or finds the same files already set
/// aside (with <see cref="DeadLetter"/>). Changing the policy and restarting is how a stream stuck
/// on a bad input under <see cref="Fail"/> moves on: the pending batch is read again under the new one.
/// </remarks>
public enum BadRecordPolicy
{
    /// <summary>
    /// The input fails: the batch that reads a bad file or a damaged log segment fails with a
    /// <see cref="SourceException"/> naming the file (or segment) and line; a socket receiver stops
    /// at the bad line, and every later batch fails naming the connection and the byte offset.
    /// </summary>
    Fail,

    /// <summary>
    /// The bad record (a line, or a whole file or segment that cannot be read) is left out and the
    /// rest is read; each one is reported with where it was and how many bytes it held.
    /// </summary>
    Skip,

    /// <summary>
    /// Like <see cref="Skip"/>, but the bad input is kept where a person can look at it: a file of the
    /// directory source is moved whole into its dead-letter directory (none of its lines are read);
    /// a socket's bad line is appended, as received, to a file in its dead-letter directory.
    /// </summary>
    DeadLetter,
}
