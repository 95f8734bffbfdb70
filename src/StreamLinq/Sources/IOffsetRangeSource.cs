using System.Text.Json;

namespace StreamLinq.Sources;

/// <summary>
/// A replayable pull source whose sealed inputs are offset ranges that a checkpoint can hold: a
/// pending batch is written as its ranges and, after a restart, read again from exactly those.
/// Its position (where the next batch begins) is its <see cref="State.IStatefulOperator"/> state,
/// saved in every checkpoint and restored before <see cref="IBatchSource.StartAsync"/>.
/// </summary>
/// <remarks>
/// <para>The life of a batch: <see cref="IBatchSource.Seal"/> fixes the range (or how much it may
/// take, resolved when it is read, without calling out); the engine writes the range with
/// <see cref="WriteRange"/> into the checkpoint before any output sees the batch; after a crash
/// it rebuilds the input with <see cref="ReadRange"/> and reads exactly those records again;
/// once a checkpoint holds the batch as completed it calls <see cref="Acknowledge"/>.</para>
/// <para>A partitioned source writes one range per partition per batch (an array of
/// <c>{ partition, from, to }</c> objects, say) and combines the partitions' orders with
/// <see cref="RangeOrders.Combine"/>; see <see cref="IPartitionedSource"/>.</para>
/// <para>Members with a default body were added after the first version, or are optional: an
/// implementation that leaves them out keeps compiling and gets the documented default.</para>
/// </remarks>
public interface IOffsetRangeSource : IBatchSource, State.IStatefulOperator
{
    /// <summary>
    /// Writes the range that <paramref name="input"/> (sealed by this source) covers, as one JSON
    /// value. It is stored in checkpoints and in transactional sinks' commits
    /// (<see cref="BatchCommit.Offsets"/>), so keep it small and stable across versions.
    /// </summary>
    /// <param name="input">An input this source sealed or rebuilt.</param>
    /// <param name="writer">Where to write the range.</param>
    void WriteRange(ISealedInput input, Utf8JsonWriter writer);

    /// <summary>Rebuilds a sealed input from a range written by <see cref="WriteRange"/>.</summary>
    /// <param name="range">The range, as written.</param>
    /// <returns>An input that reads exactly the records of the range.</returns>
    /// <exception cref="InvalidDataException">The range is malformed.</exception>
    ISealedInput ReadRange(JsonElement range);

    /// <summary>
    /// Called once a checkpoint has committed the batch that read <paramref name="input"/>: a
    /// source that keeps data for replays (a write-ahead log segment), or a broker that tracks
    /// positions (a consumer group's acknowledgement), may now drop it. Called in batch order,
    /// at most once per batch; never for a batch that has not completed.
    /// </summary>
    /// <param name="input">The input of the committed batch.</param>
    void Acknowledge(ISealedInput input)
    {
    }

    /// <summary>
    /// Where <paramref name="input"/>'s range lies against <paramref name="committed"/>, a range
    /// written by <see cref="WriteRange"/> (possibly in an earlier run) that a transactional
    /// output committed last. The default, <see cref="RangeOrder.Unknown"/>, leaves the decision
    /// to the checkpoint and the sink's own check by batch time.
    /// </summary>
    /// <param name="input">A batch's input, already read.</param>
    /// <param name="committed">A range written by <see cref="WriteRange"/>.</param>
    /// <returns>How the batch lies against the committed range.</returns>
    RangeOrder Compare(ISealedInput input, JsonElement committed) => RangeOrder.Unknown;

    /// <summary>
    /// Called at start, after the checkpoint (if any) is restored and before <see cref="IBatchSource.StartAsync"/>,
    /// with the last range each transactional output committed (null for an output that committed
    /// nothing). A source whose position is behind the earliest of them moves to right after it,
    /// and cuts no later batch across the end of another, so that every batch is wholly committed
    /// or wholly new for each output. The default does nothing: the source resumes from its
    /// checkpoint alone.
    /// </summary>
    /// <param name="committed">Per transactional output, its last committed range of this source, or null.</param>
    void ResumeAfter(IReadOnlyList<JsonElement?> committed)
    {
    }

    /// <summary>
    /// Whether <paramref name="input"/>'s range is fixed already. A source that resolves its range
    /// only when the batch is read (Redis) answers false for a batch queued, unread, when the
    /// checkpoint holding it was written. The default: a range is fixed when it is sealed.
    /// </summary>
    /// <param name="input">An input this source sealed or rebuilt.</param>
    /// <returns>Whether <see cref="WriteRange"/> writes a fixed range for it.</returns>
    bool IsResolved(ISealedInput input) => true;
}

/// <summary>
/// A push source whose receiver may keep a write-ahead log: the receiver is its offset-range
/// source (the ranges are log segments, the position is the next segment).
/// </summary>
internal interface IReceiverSource<T> : IOffsetRangeSource, Monitoring.IReceiverGauges
{
    Receiver<T> Receiver { get; }

    int Monitoring.IReceiverGauges.Buffered => Receiver.Buffered;

    int Monitoring.IReceiverGauges.Capacity => Receiver.Capacity;

    double? Monitoring.IReceiverGauges.RateLimit => Receiver.RateLimit;

    bool IBatchSource.IsReplayable => Receiver.IsLogged;

    string State.IStatefulOperator.StateId => Name + "/receiver";

    int State.IStatefulOperator.StateVersion => Receiver<int>.StateVersion;

    IEnumerable<Type> State.IStatefulOperator.CheckpointedTypes => Receiver.IsLogged ? [typeof(T)] : [];

    void State.IStatefulOperator.WriteState(Utf8JsonWriter writer) => Receiver.WriteState(writer);

    void State.IStatefulOperator.ReadState(JsonElement state, int version) => Receiver.ReadState(state, version);

    void IOffsetRangeSource.WriteRange(ISealedInput input, Utf8JsonWriter writer) => Receiver.WriteRange(input, writer);

    ISealedInput IOffsetRangeSource.ReadRange(JsonElement range) => Receiver.ReadRange(range);

    void IOffsetRangeSource.Acknowledge(ISealedInput input) => Receiver.Acknowledge(input);
}
