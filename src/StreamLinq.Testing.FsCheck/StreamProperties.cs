using FsCheck;
using FsCheck.Fluent;

namespace StreamLinq.Testing.FsCheck;

/// <summary>
/// Ready FsCheck properties of a streaming job, each stated in one line. Each runs the job on a
/// <see cref="StreamTestHarness"/> (virtual time, no sleeping) over generated inputs, and a
/// failure shrinks to the smallest failing input, printed as batches with their times. Check one
/// with FsCheck (<c>Check.QuickThrowOnFailure</c>, an FsCheck.Xunit <c>[Property]</c> returning
/// it) or with <see cref="StreamCheck.Run"/>, which returns the counterexample for a test to assert on.
/// </summary>
/// <remarks>
/// A job here is a function from the input stream to the stream an output writes, so the same
/// definition serves production (a Redis source, a PostgreSQL sink) and the property (a
/// <see cref="TestInput{T}"/>, a <see cref="TestOutput{T}"/>). A batch that fails fails the property
/// with the batch's error.
/// </remarks>
public static class StreamProperties
{
    /// <summary>
    /// Split invariance of a per-batch query (stateless: filters, projections, flattening): however
    /// the records are cut into batches, the outputs, concatenated in batch order, equal the same
    /// query run by LINQ to Objects over the whole input.
    /// </summary>
    /// <typeparam name="T">The type of the records.</typeparam>
    /// <typeparam name="TResult">The type of the results.</typeparam>
    /// <param name="record">Generates one record.</param>
    /// <param name="query">The query, run per batch through <see cref="DStreamQueryable.Transform"/> and once over the whole input.</param>
    /// <param name="maxRecords">The most records in one input.</param>
    public static Property SplitInvariance<T, TResult>(Gen<T> record, Func<IQueryable<T>, IQueryable<TResult>> query, int maxRecords = 30)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(query);
        return Prop.ForAll(StreamArb.Batches(record, maxRecords), input =>
        {
            var actual = JobRun.Run(input, s => s.Transform(query), flushBatches: 0).All;
            var expected = query(input.Records.ToArray().AsQueryable()).ToArray();
            return actual.SequenceEqual(expected)
                .Label($"per batch gave [{string.Join(", ", actual)}], the whole input [{string.Join(", ", expected)}]");
        });
    }

    /// <summary>
    /// Split invariance of a job across batches (event-time windows, for one): however the
    /// records are cut into batches, everything the output receives, as a multiset, equals
    /// <paramref name="oracle"/> over the whole input, e.g. the windows computed by LINQ to Objects.
    /// </summary>
    /// <typeparam name="T">The type of the records.</typeparam>
    /// <typeparam name="TResult">The type of the results; compared with its default equality.</typeparam>
    /// <param name="inputs">The inputs: e.g. <see cref="StreamArb.Split{T}"/> of records in event-time order.</param>
    /// <param name="job">The job: input stream to output stream.</param>
    /// <param name="oracle">What the job should output over the whole input.</param>
    /// <param name="flushBatches">Empty batches run after the input, for windows to close.</param>
    public static Property SplitInvariance<T, TResult>(
        Arbitrary<BatchedInput<T>> inputs, Func<IDStream<T>, IDStream<TResult>> job, Func<IEnumerable<T>, IEnumerable<TResult>> oracle, int flushBatches = 2)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(oracle);
        return Prop.ForAll(inputs, input =>
        {
            var actual = JobRun.Run(input, job, flushBatches).All;
            var difference = Multiset.Difference(oracle(input.Records.ToArray()), actual);
            return (difference is null).Label($"the job's outputs against the whole input's: {difference}");
        });
    }

    /// <summary>
    /// Order invariance of an event-time job: records arriving in any order within
    /// <paramref name="maxOutOfOrderness"/> give the same outputs (as a multiset over the run) as
    /// the same records in event-time order, cut into batches of the same sizes.
    /// </summary>
    /// <typeparam name="T">The type of the records.</typeparam>
    /// <typeparam name="TResult">The type of the results; compared with its default equality.</typeparam>
    /// <param name="record">Generates one record.</param>
    /// <param name="eventTime">A record's event time, as the job's <c>WithEventTime</c> reads it.</param>
    /// <param name="maxOutOfOrderness">The out-of-orderness the job declares.</param>
    /// <param name="job">The job: input stream to output stream.</param>
    /// <param name="flushBatches">Empty batches run after the input, for windows to close.</param>
    /// <param name="maxRecords">The most records in one input.</param>
    public static Property OrderInvariance<T, TResult>(
        Gen<T> record, Func<T, DateTimeOffset> eventTime, TimeSpan maxOutOfOrderness, Func<IDStream<T>, IDStream<TResult>> job, int flushBatches = 2, int maxRecords = 30)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(eventTime);
        ArgumentNullException.ThrowIfNull(job);
        var arrivals = from records in StreamGen.Records(record, maxRecords)
                       from arrival in StreamGen.OutOfOrder(records, eventTime, maxOutOfOrderness)
                       from split in StreamGen.Split(arrival)
                       select split;
        return Prop.ForAll(Arb.From(arrivals, StreamArb.Shrink), input =>
        {
            var inOrder = BatchedInput<T>.Cut(input.Records.OrderBy(eventTime).ToArray(), input.Batches.Select(b => b.Count), input.Interval);
            var expected = JobRun.Run(inOrder, job, flushBatches).All;
            var actual = JobRun.Run(input, job, flushBatches).All;
            var difference = Multiset.Difference(expected, actual);
            return (difference is null).Label($"out of order against in event-time order ({inOrder}): {difference}");
        });
    }

    /// <summary>
    /// Replay safety of a sink: written at least once, with random runs of batches written again
    /// (as after a crash that lost their checkpoints), the sink ends in the same state as writing
    /// each batch once. The batches written are the job's outputs, computed by the engine; a
    /// replay writes a batch's output again, as the engine recomputes it from the same input.
    /// </summary>
    /// <typeparam name="T">The type of the records.</typeparam>
    /// <typeparam name="TResult">The type of the records the sink receives.</typeparam>
    /// <typeparam name="TSink">The sink.</typeparam>
    /// <typeparam name="TRow">The type of the sink's state, as rows compared with their default equality.</typeparam>
    /// <param name="record">Generates one record.</param>
    /// <param name="job">The job up to the sink: input stream to the stream the sink writes.</param>
    /// <param name="newSink">Creates an empty sink (an in-memory model of the table, or a real one emptied).</param>
    /// <param name="state">Reads the sink's state.</param>
    /// <param name="maxRecords">The most records in one input.</param>
    /// <param name="maxReplays">The most replays in one run.</param>
    public static Property ReplaySafety<T, TResult, TSink, TRow>(
        Gen<T> record, Func<IDStream<T>, IDStream<TResult>> job, Func<TSink> newSink, Func<TSink, IEnumerable<TRow>> state, int maxRecords = 30, int maxReplays = 3)
        where TSink : IBatchSink<TResult>
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(newSink);
        ArgumentNullException.ThrowIfNull(state);
        return Prop.ForAll(StreamArb.Replayed(record, maxRecords, maxReplays), replayed =>
        {
            var input = replayed.Input;
            var outputs = JobRun.Run(input, job, flushBatches: 0).Batches;
            var once = Write(newSink(), Enumerable.Range(0, input.Batches.Count));
            var again = Write(newSink(), replayed.DeliveryOrder());
            var difference = Multiset.Difference(state(once), state(again));
            return (difference is null).Label($"state after the replays against writing each batch once: {difference}");

            TSink Write(TSink sink, IEnumerable<int> order)
            {
                Task.Run(async () =>
                {
                    foreach (var i in order)
                    {
                        var time = input.TimeOf(i);
                        await sink.WriteBatchAsync(outputs.TryGetValue(time, out var batch) ? batch : [], time, CancellationToken.None).ConfigureAwait(false);
                    }
                }).GetAwaiter().GetResult();
                return sink;
            }
        });
    }

    /// <summary>
    /// Restart invariance: a crash after any batch, with the job rebuilt from its definition and
    /// recovered from its last checkpoint, gives every batch time the same outputs (as a
    /// multiset per batch) as a run without one. Fails for state the engine does not checkpoint,
    /// such as a dictionary the job keeps itself.
    /// </summary>
    /// <typeparam name="T">The type of the records.</typeparam>
    /// <typeparam name="TResult">The type of the results; compared with its default equality.</typeparam>
    /// <param name="record">Generates one record.</param>
    /// <param name="job">The job: input stream to output stream; called again on the restart, as a factory is.</param>
    /// <param name="maxRecords">The most records in one input.</param>
    public static Property RestartInvariance<T, TResult>(Gen<T> record, Func<IDStream<T>, IDStream<TResult>> job, int maxRecords = 30)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(job);
        return Prop.ForAll(StreamArb.Crashed(record, maxRecords), crashed =>
        {
            var expected = JobRun.Run(crashed.Input, job, flushBatches: 0).Batches;
            var actual = JobRun.Run(crashed.Input, job, flushBatches: 0, crashAfter: crashed.CrashAfter).Batches;
            foreach (var time in expected.Keys.Union(actual.Keys).Order())
            {
                var difference = Multiset.Difference(expected.GetValueOrDefault(time, []), actual.GetValueOrDefault(time, []));
                if (difference is not null)
                {
                    return false.Label($"batch {time} after the restart against without it: {difference}");
                }
            }

            return true.ToProperty();
        });
    }
}
