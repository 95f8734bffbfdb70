using FsCheck;
using FsCheck.Fluent;

namespace StreamLinq.Testing.FsCheck;

/// <summary>
/// FsCheck generators of what a stream does to a job's input: how records are cut into batches
/// (empty batches included), arrival order shuffled within a bounded out-of-orderness, late
/// records, duplicated deliveries, at-least-once replays and crash points. Combine them with
/// LINQ (<c>from records in ... from split in StreamGen.Split(records) select split</c>); for
/// shrinking, use the arbitraries of <see cref="StreamArb"/>.
/// </summary>
public static class StreamGen
{
    /// <summary>Records from <paramref name="record"/>, at most the generator's size (and at most <paramref name="maxRecords"/>) of them, cut into random batches.</summary>
    /// <typeparam name="T">The type of the records.</typeparam>
    /// <param name="record">Generates one record.</param>
    /// <param name="maxRecords">The most records in one input.</param>
    /// <param name="interval">The batch interval; one second when null.</param>
    public static Gen<BatchedInput<T>> Batches<T>(Gen<T> record, int maxRecords = 30, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(record);
        return from records in Records(record, maxRecords)
               from split in Split(records, interval)
               select split;
    }

    /// <summary>Up to <paramref name="maxRecords"/> records, fewer at small sizes.</summary>
    /// <typeparam name="T">The type of the records.</typeparam>
    /// <param name="record">Generates one record.</param>
    /// <param name="maxRecords">The most records.</param>
    public static Gen<T[]> Records<T>(Gen<T> record, int maxRecords = 30)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRecords);
        return Gen.Sized(size => Gen.Choose(0, Math.Min(size, maxRecords)).SelectMany(n => Gen.ArrayOf(record, n)));
    }

    /// <summary>
    /// The records, in their order, cut into batches at random: any record may start a new
    /// batch, and empty batches appear before, between and after them.
    /// </summary>
    /// <typeparam name="T">The type of the records.</typeparam>
    /// <param name="records">The records, in arrival order.</param>
    /// <param name="interval">The batch interval; one second when null.</param>
    public static Gen<BatchedInput<T>> Split<T>(IReadOnlyList<T> records, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(records);

        // One step per record and one after the last: 0 stays in the batch, 1 starts a new batch,
        // 2 also leaves an empty batch before it.
        var step = Gen.Frequency((6, Gen.Constant(0)), (3, Gen.Constant(1)), (1, Gen.Constant(2)));
        return Gen.ArrayOf(step, records.Count + 1).Select(steps =>
        {
            var sizes = new List<int> { 0 };
            for (var i = 0; i < records.Count; i++)
            {
                if (i > 0 || steps[i] != 0)
                {
                    if (steps[i] == 2)
                    {
                        sizes.Add(0);
                    }

                    if (i > 0 && steps[i] != 0)
                    {
                        sizes.Add(0);
                    }
                }

                sizes[^1]++;
            }

            if (steps[records.Count] == 2)
            {
                sizes.Add(0);
            }

            return BatchedInput<T>.Cut(records, sizes, interval);
        });
    }

    /// <summary>
    /// The records (in event-time order or not) in an arrival order where none arrives after a
    /// record more than <paramref name="maxOutOfOrderness"/> ahead of it in event time: each
    /// record is delayed by a random amount up to the bound, so against a watermark of the largest
    /// event time seen minus the bound, no record is late.
    /// </summary>
    /// <typeparam name="T">The type of the records.</typeparam>
    /// <param name="records">The records.</param>
    /// <param name="eventTime">A record's event time.</param>
    /// <param name="maxOutOfOrderness">The declared out-of-orderness; not negative.</param>
    public static Gen<T[]> OutOfOrder<T>(IReadOnlyList<T> records, Func<T, DateTimeOffset> eventTime, TimeSpan maxOutOfOrderness)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(eventTime);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxOutOfOrderness, TimeSpan.Zero);
        return Gen.ArrayOf(Fraction, records.Count).Select(delays =>
            records.Select((r, i) => (Record: r, Arrival: eventTime(r).UtcTicks + (long)(delays[i] * maxOutOfOrderness.Ticks), Index: i))
                .OrderBy(a => a.Arrival).ThenBy(a => a.Index).Select(a => a.Record).ToArray());
    }

    /// <summary>
    /// As <see cref="OutOfOrder{T}"/>, but up to <paramref name="maxLate"/> records arrive late:
    /// delayed by more than the bound (up to <paramref name="maxLateness"/> more), behind the
    /// watermark when they arrive if records with later event times came before them.
    /// </summary>
    /// <typeparam name="T">The type of the records.</typeparam>
    /// <param name="records">The records.</param>
    /// <param name="eventTime">A record's event time.</param>
    /// <param name="maxOutOfOrderness">The declared out-of-orderness; not negative.</param>
    /// <param name="maxLateness">How far beyond the bound a late record may be delayed; positive.</param>
    /// <param name="maxLate">The most late records.</param>
    public static Gen<T[]> WithLateRecords<T>(IReadOnlyList<T> records, Func<T, DateTimeOffset> eventTime, TimeSpan maxOutOfOrderness, TimeSpan maxLateness, int maxLate = 3)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(eventTime);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxOutOfOrderness, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maxLateness, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(maxLate);
        return from delays in Gen.ArrayOf(Fraction, records.Count)
               from late in Gen.ArrayOf(Gen.Choose(0, Math.Max(0, records.Count - 1)), Math.Min(maxLate, records.Count))
               from extra in Gen.ArrayOf(Fraction, late.Length)
               select records.Select((r, i) =>
                   {
                       var delay = (long)(delays[i] * maxOutOfOrderness.Ticks);
                       var lateAt = Array.IndexOf(late, i);
                       if (lateAt >= 0)
                       {
                           delay = maxOutOfOrderness.Ticks + 1 + (long)(extra[lateAt] * maxLateness.Ticks);
                       }

                       return (Record: r, Arrival: eventTime(r).UtcTicks + delay, Index: i);
                   })
                   .OrderBy(a => a.Arrival).ThenBy(a => a.Index).Select(a => a.Record).ToArray();
    }

    /// <summary>
    /// The input with up to <paramref name="maxDuplicates"/> records delivered twice: the copy
    /// arrives in the same batch or a later one, as a source that retries a send does.
    /// </summary>
    /// <typeparam name="T">The type of the records.</typeparam>
    /// <param name="input">The input.</param>
    /// <param name="maxDuplicates">The most duplicated deliveries.</param>
    public static Gen<BatchedInput<T>> WithDuplicates<T>(BatchedInput<T> input, int maxDuplicates = 3)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegative(maxDuplicates);
        var places = input.Batches.SelectMany((b, i) => Enumerable.Range(0, b.Count).Select(j => (Batch: i, Record: j))).ToArray();
        if (places.Length == 0)
        {
            return Gen.Constant(input);
        }

        var duplicate = from place in Gen.Elements(places)
                        from later in Gen.Choose(place.Batch, input.Batches.Count - 1)
                        select (place.Batch, place.Record, Into: later);
        return Gen.Choose(0, maxDuplicates).SelectMany(n => Gen.ArrayOf(duplicate, n)).Select(copies =>
        {
            var batches = input.Batches.Select(b => b.ToList()).ToArray();
            foreach (var (batch, record, into) in copies)
            {
                batches[into].Add(input.Batches[batch][record]);
            }

            return new BatchedInput<T>(batches, input.Interval);
        });
    }

    /// <summary>A crash point: the index (from 0) of the last batch completed before a restart, among <paramref name="batchCount"/> batches.</summary>
    /// <param name="batchCount">How many batches the input has; at least one.</param>
    public static Gen<int> CrashPoint(int batchCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchCount, 1);
        return Gen.Choose(0, batchCount - 1);
    }

    /// <summary>Up to <paramref name="maxReplays"/> at-least-once replays of random runs of batches among <paramref name="batchCount"/>.</summary>
    /// <param name="batchCount">How many batches the input has.</param>
    /// <param name="maxReplays">The most replays.</param>
    public static Gen<Replay[]> Replays(int batchCount, int maxReplays = 3)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batchCount);
        ArgumentOutOfRangeException.ThrowIfNegative(maxReplays);
        if (batchCount == 0)
        {
            return Gen.Constant(Array.Empty<Replay>());
        }

        var replay = from after in Gen.Choose(0, batchCount - 1)
                     from first in Gen.Choose(Math.Max(0, after - 2), after)
                     select new Replay(after, first);
        return Gen.Choose(1, Math.Max(1, maxReplays)).SelectMany(n => Gen.ArrayOf(replay, n))
            .Select(r => r.OrderBy(x => x.After).ThenBy(x => x.From).ToArray());
    }

    private static Gen<double> Fraction { get; } = Gen.Choose(0, 1000).Select(n => n / 1000.0);
}
