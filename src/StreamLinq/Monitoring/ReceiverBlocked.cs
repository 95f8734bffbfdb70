namespace StreamLinq;

/// <summary>
/// A push source's receiver began holding a producer back, reported to
/// <see cref="IStreamingListener.OnReceiverBlocked"/> at most once per source, reason and batch
/// interval (the first hold of the interval), so that a producer held back continuously is
/// reported every interval without flooding the listener. The time held back and the records that
/// waited are counted by the metrics <c>streamlinq.receiver.blocked_time</c> and
/// <c>streamlinq.receiver.records_held_back</c>.
/// </summary>
/// <param name="Source">The source's name, e.g. <c>ObservableStream</c>.</param>
/// <param name="Reason">Why the producer waits.</param>
/// <param name="BufferedRecords">About how many records the receiver held when the hold began (whole chunks, not exact).</param>
/// <param name="Capacity">The buffer's capacity in records (<see cref="ReceiverOptions.BufferCapacity"/> or its default).</param>
/// <param name="RatePerSecond">The rate limit in force, in records per second, when <paramref name="Reason"/> is the rate limit.</param>
public sealed record ReceiverBlocked(
    string Source,
    ReceiverBlockReason Reason,
    long BufferedRecords,
    int Capacity,
    double? RatePerSecond = null);
