using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using StreamLinq.Testing.FsCheck;

namespace StreamLinq.Tests.Testing;

/// <summary>The testing package's generators produce what they promise, and its shrinking always makes an input smaller.</summary>
public class StreamGeneratorTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    private static Gen<int[]> Numbers => StreamGen.Records(Gen.Choose(0, 1000), 25);

    [Property(MaxTest = 200)]
    public Property A_split_keeps_every_record_in_order_and_times_batches_one_interval_apart() =>
        Prop.ForAll(Arb.From(Numbers.SelectMany(r => StreamGen.Split(r).Select(s => (Records: r, Split: s)))), x =>
            x.Split.Records.SequenceEqual(x.Records)
            && Enumerable.Range(0, x.Split.Batches.Count).All(i => x.Split.TimeOf(i).Ticks == (i + 1) * TimeSpan.TicksPerSecond));

    [Fact]
    public void Splits_include_empty_batches_and_batches_of_several_records()
    {
        var splits = StreamGen.Split(Enumerable.Range(0, 20).ToArray()).Sample(10, 50);

        Assert.Contains(splits, s => s.Batches.Any(b => b.Count == 0));
        Assert.Contains(splits, s => s.Batches.Any(b => b.Count > 1));
    }

    [Property(MaxTest = 200)]
    public Property Out_of_order_arrival_never_puts_a_record_behind_the_watermark() =>
        Prop.ForAll(Arb.From(Numbers.SelectMany(r => StreamGen.OutOfOrder(r, Seconds, Bound).Select(a => (Records: r, Arrival: a)))), x =>
            IsPermutation(x.Records, x.Arrival) && LateCount(x.Arrival) == 0);

    [Fact]
    public void Late_records_arrive_behind_the_watermark_in_some_inputs_and_none_is_lost()
    {
        var records = Enumerable.Range(0, 30).Select(i => i * 2).ToArray();
        var arrivals = StreamGen.WithLateRecords(records, Seconds, Bound, TimeSpan.FromSeconds(30)).Sample(10, 50);

        Assert.All(arrivals, a => Assert.True(IsPermutation(records, a)));
        Assert.Contains(arrivals, a => LateCount(a) > 0);
    }

    [Property(MaxTest = 200)]
    public Property Duplicates_add_copies_in_the_same_or_a_later_batch_only() =>
        Prop.ForAll(Arb.From(StreamGen.Batches(Gen.Choose(0, 1000)).SelectMany(i => StreamGen.WithDuplicates(i, 3).Select(d => (Input: i, Duplicated: d)))), x =>
        {
            var (input, duplicated) = x;
            var extra = duplicated.RecordCount - input.RecordCount;
            var kept = input.Batches.Select((b, i) => duplicated.Batches[i].Take(b.Count).SequenceEqual(b)).All(k => k);
            var copiesFromEarlier = duplicated.Batches.Select((b, i) => b.Skip(input.Batches[i].Count).All(r => input.Batches.Take(i + 1).Any(e => e.Contains(r)))).All(c => c);
            return duplicated.Batches.Count == input.Batches.Count && extra is >= 0 and <= 3 && kept && copiesFromEarlier;
        });

    [Property(MaxTest = 200)]
    public Property Replays_and_crash_points_stay_within_the_batches() =>
        Prop.ForAll(Arb.From(Gen.Choose(1, 20).SelectMany(n => StreamGen.Replays(n).Zip(StreamGen.CrashPoint(n)).Select(r => (Count: n, r.Item1, r.Item2)))), x =>
            x.Item2.All(r => r.From >= 0 && r.From <= r.After && r.After < x.Count) && x.Item3 >= 0 && x.Item3 < x.Count);

    [Property(MaxTest = 100)]
    public Property Every_shrink_has_fewer_batches_or_fewer_records() =>
        Prop.ForAll(StreamArb.Batches(Gen.Choose(0, 9), 12), input =>
            StreamArb.Shrink(input).All(s => s.Batches.Count < input.Batches.Count || s.RecordCount < input.RecordCount));

    [Fact]
    public void A_batched_input_reads_as_its_batches_with_their_times()
    {
        var input = new BatchedInput<int>([[1, 2], [], [3]]);

        Assert.Equal("3 batches: [1970-01-01T00:00:01Z: 1, 2] [1970-01-01T00:00:02Z: ] [1970-01-01T00:00:03Z: 3]", input.ToString());
    }

    private static DateTimeOffset Seconds(int record) => DateTimeOffset.UnixEpoch.AddSeconds(record);

    private static bool IsPermutation(IEnumerable<int> expected, IEnumerable<int> actual) => expected.Order().SequenceEqual(actual.Order());

    private static int LateCount(IEnumerable<int> arrival)
    {
        var late = 0;
        var max = long.MinValue;
        foreach (var record in arrival)
        {
            var time = Seconds(record).UtcTicks;
            if (max != long.MinValue && time < max - Bound.Ticks)
            {
                late++;
            }

            max = Math.Max(max, time);
        }

        return late;
    }
}
