using System.Diagnostics;
using StreamLinq.Distributed;
using StreamLinq.Orleans.Tests.Support;
using Xunit.Abstractions;

namespace StreamLinq.Orleans.Tests.Shuffle;

/// <summary>
/// Records cross silos as the state codecs' bytes: records, classes, anonymous types and tuples
/// come back equal through a map task and a reduce task, and the cost per record is reported
/// (test output; no assertion on speed).
/// </summary>
public sealed class ShuffleSerializerTests(ITestOutputHelper output)
{
    public sealed record Ad(string Campaign, Guid Id, long Time, double Price);

    public sealed class Click
    {
        public string? User { get; set; }

        public int Count { get; set; }

        public override bool Equals(object? obj) => obj is Click other && other.User == User && other.Count == Count;

        public override int GetHashCode() => HashCode.Combine(User, Count);
    }

    private static Ad[] Ads(int count) =>
        Enumerable.Range(0, count).Select(i => new Ad($"campaign-{i % 100}", new Guid(i, 0, 0, new byte[8]), 1_700_000_000_000 + i, i * 0.25)).ToArray();

    [Fact]
    public async Task A_record_type_comes_back_equal_and_its_cost_per_record_is_reported()
    {
        var ads = Ads(20_000);
        await RoundTripAsync(ads, s => s, r => r, "record Ad(string, Guid, long, double)", measure: true);
    }

    [Fact]
    public async Task A_class_an_anonymous_type_and_a_tuple_come_back_equal()
    {
        var ads = Ads(500);
        await RoundTripAsync(ads.Select(a => new Click { User = a.Campaign, Count = (int)(a.Time % 7) }).ToArray(), s => s, r => r, "class Click", measure: false);
        await RoundTripAsync(ads, s => s.Select(a => new { a.Campaign, a.Price }), r => r.Select(a => new { a.Campaign, a.Price }), "anonymous type", measure: false);
        await RoundTripAsync(ads, s => s.Select(a => ValueTuple.Create(a.Campaign, a.Time, ValueTuple.Create(a.Id, a.Price))), r => r.Select(a => ValueTuple.Create(a.Campaign, a.Time, ValueTuple.Create(a.Id, a.Price))), "tuple", measure: false);
    }

    private async Task RoundTripAsync<TIn, TOut>(TIn[] records, Func<IDStream<TIn>, IDStream<TOut>> query, Func<IEnumerable<TIn>, IEnumerable<TOut>> oracle, string what, bool measure)
    {
        var received = new List<TOut>();
        var context = new StreamingContext(TestJobs.Interval);
        var input = context.AddInput(new ScriptedSource<TIn>("Records", new Script<TIn>([[records]])));
        query(input).ForEachBatch((batch, _) => received.AddRange(batch));
        var plan = DistributedPlan.Create(context, keyPartitions: 1);
        var cut = plan.Cut(new BatchTime(TestJobs.Interval.Ticks));

        // The first run compiles the narrow part and the codecs; the second is the one measured.
        var clock = Stopwatch.StartNew();
        var map = await plan.RunMapAsync(cut.Tasks[0], CancellationToken.None);
        var mapTicks = clock.ElapsedTicks;
        clock.Restart();
        await plan.RunReduceAsync(cut.Time, 0, 1, cut.Offsets, [map.Partitions[0]], CancellationToken.None);
        var reduceTicks = clock.ElapsedTicks;
        if (measure)
        {
            received.Clear();
            clock.Restart();
            map = await plan.RunMapAsync(cut.Tasks[0], CancellationToken.None);
            mapTicks = clock.ElapsedTicks;
            clock.Restart();
            await plan.RunReduceAsync(new BatchTime(2 * TestJobs.Interval.Ticks), 0, 1, cut.Offsets, [map.Partitions[0]], CancellationToken.None);
            reduceTicks = clock.ElapsedTicks;
        }

        Assert.Equal(oracle(records), received);
        if (measure)
        {
            // The baseline, in the same run: System.Text.Json's reflection serializer, both ways,
            // measured on its second run as the map and reduce tasks are.
            System.Text.Json.JsonSerializer.Deserialize<TIn[]>(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(records));
            clock.Restart();
            var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(records);
            var back = System.Text.Json.JsonSerializer.Deserialize<TIn[]>(json);
            var baselineTicks = clock.ElapsedTicks;
            Assert.Equal(records, back);
            var count = records.Length;
            output.WriteLine(
                $"{what}: {map.Partitions[0].Length / (double)count:F1} bytes per record (System.Text.Json: {json.Length / (double)count:F1}); " +
                $"map task (read, narrow part, encode) {Nanoseconds(mapTicks, count):F0} ns per record; reduce task (decode, output) {Nanoseconds(reduceTicks, count):F0} ns per record; " +
                $"System.Text.Json both ways {Nanoseconds(baselineTicks, count):F0} ns per record; ratio (map + reduce) / baseline {(double)(mapTicks + reduceTicks) / baselineTicks:F2}");
        }
    }

    private static double Nanoseconds(long ticks, int records) => ticks * 1e9 / Stopwatch.Frequency / records;
}
