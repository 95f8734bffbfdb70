using System.Collections.Concurrent;
using FsCheck;
using FsCheck.Xunit;
using StreamLinq.Sources;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Sources;

/// <summary>
/// A batch handed over as segments (<see cref="BatchRecords{T}"/>) gives every compiled query
/// shape the answer LINQ to Objects gives over the same records in one sequence, wherever the
/// records are cut into segments, wherever the segments sit in their arrays, and wherever the
/// batch is cut into partitions.
/// </summary>
public class SegmentedBatchTests
{
    // Around each segment, in its array: a record that changes every answer if a loop reads it.
    private const long Outside = 1_000_003;

    [Property(MaxTest = 30)]
    public void Every_fused_query_shape_over_random_segments_equals_linq_over_the_records(long[] records, byte[] cuts, byte[] gaps)
    {
        var segments = Cut(records, cuts, gaps);
        var results = RunAsync(segments, stream => new Dictionary<string, IDStream<long>>
        {
            ["Where.Select"] = stream.Where(x => x % 3 != 0).Select(x => x * 2),
            ["SelectMany"] = stream.SelectMany(x => new[] { x, x + 1 }).Where(x => x % 2 == 0),
            ["Where.Select.Sum"] = stream.Where(x => x % 3 != 0).Select(x => x * 2).Sum(),
            ["Count"] = stream.Where(x => x > 0).Count().Select(c => (long)c),
            ["Max"] = stream.Select(x => x - 1).Max(),
            ["GroupBy"] = stream.GroupBy(x => x % 5).Select(g => g.Key * 1_000_000_000 + g.Count() * 1_000_000 + g.Sum()),
            ["Where.OrderByDescending.Take"] = stream.Where(x => x % 3 != 0).OrderByDescending(x => x).Take(5),
            ["SelectMany.OrderBy.Take"] = stream.SelectMany(x => new[] { x, -x }).OrderBy(x => x).Take(5),
        }).GetAwaiter().GetResult();

        var expected = new Dictionary<string, long[]>
        {
            ["Where.Select"] = [.. records.Where(x => x % 3 != 0).Select(x => x * 2)],
            ["SelectMany"] = [.. records.SelectMany(x => new[] { x, x + 1 }).Where(x => x % 2 == 0)],
            ["Where.Select.Sum"] = [records.Where(x => x % 3 != 0).Select(x => x * 2).Sum()],
            ["Count"] = [records.Count(x => x > 0)],
            ["Max"] = records.Length == 0 ? [] : [records.Select(x => x - 1).Max()],
            ["GroupBy"] = [.. records.GroupBy(x => x % 5).Select(g => g.Key * 1_000_000_000 + g.Count() * 1_000_000 + g.Sum())],
            ["Where.OrderByDescending.Take"] = [.. records.Where(x => x % 3 != 0).OrderByDescending(x => x).Take(5)],
            ["SelectMany.OrderBy.Take"] = [.. records.SelectMany(x => new[] { x, -x }).OrderBy(x => x).Take(5)],
        };
        foreach (var (shape, answer) in expected)
        {
            var actual = results[shape];
            Assert.True(shape == "GroupBy" ? answer.Order().SequenceEqual(actual.Order()) : answer.SequenceEqual(actual), $"{shape}: [{string.Join(", ", actual)}], expected [{string.Join(", ", answer)}]");
        }
    }

    [Fact]
    public void Cuts_that_all_make_empty_segments_still_give_every_shape_the_linq_answer() =>
        Every_fused_query_shape_over_random_segments_equals_linq_over_the_records([1, 2, 3, -4, 5, 6, 7, 8], [0, 7, 14], [1, 2]);

    [Property(MaxTest = 200)]
    public void Cutting_into_segments_keeps_every_record_in_order_whatever_the_cuts(long[] records, byte[] cuts, byte[] gaps) =>
        Assert.Equal(records, Cut(records, cuts, gaps).Contiguous());

    [Fact]
    public async Task A_source_that_hands_over_segments_is_read_in_place_and_released_once_after_the_batch()
    {
        var first = new long[] { Outside, 1, 2, 3, Outside };
        var second = new long[] { 4, 5, Outside };
        var released = 0;
        var source = new SegmentSource();
        source.Batches.Enqueue(new BatchRecords<long>([first.AsMemory(1, 3), second.AsMemory(0, 2)], () => Interlocked.Increment(ref released)));
        await using var harness = new StreamHarness(options: Oracle.SmallPartitions);
        var stream = harness.Context.AddInput(source);
        var whole = StreamHarness.Collect(stream);
        var doubled = StreamHarness.Collect(stream.Select(x => x * 2));
        var releasedDuringOutputs = -1;
        stream.ForEachBatch((_, _) => releasedDuringOutputs = Volatile.Read(ref released));
        await harness.StartAsync();

        var info = await harness.RunBatchAsync();

        Assert.Null(info.Failure);
        Assert.Equal(5, info.RecordCount);
        Assert.Equal([1, 2, 3, 4, 5], whole[info.Time]);
        Assert.Equal([2, 4, 6, 8, 10], doubled[info.Time]);
        Assert.Equal(0, releasedDuringOutputs);
        Assert.Equal(1, Volatile.Read(ref released));
    }

    /// <summary>
    /// The records cut at random places into segments, each at a random place in an array padded
    /// with <see cref="Outside"/>; a cut of 0 (mod 7) is an empty segment.
    /// </summary>
    private static BatchRecords<long> Cut(long[] records, byte[] cuts, byte[] gaps)
    {
        // Cuts that are all empty never reach the end: cycled, they added empty segments until the
        // test host ran out of memory. They are used once, then the rest of the records is one segment.
        var cutsAdvance = cuts.Any(c => c % 7 != 0);
        var segments = new List<ReadOnlyMemory<long>>();
        var at = 0;
        for (var s = 0; at < records.Length || s == 0; s++)
        {
            // Each pass over the cuts takes a record at least.
            Assert.True(s <= (records.Length + 1) * Math.Max(1, cuts.Length), $"{s} segments cut from {records.Length} records with {cuts.Length} cuts: the cutting does not advance");
            var rest = records.Length - at;
            var length = cuts.Length == 0 || (!cutsAdvance && s >= cuts.Length) ? rest : Math.Min(rest, cuts[s % cuts.Length] % 7);
            var gap = gaps.Length == 0 ? 0 : gaps[s % gaps.Length] % 3;
            var array = Enumerable.Repeat(Outside, gap + length + gap).ToArray();
            Array.Copy(records, at, array, gap, length);
            segments.Add(array.AsMemory(gap, length));
            at += length;
        }

        return new BatchRecords<long>(segments, null);
    }

    private static async Task<Dictionary<string, long[]>> RunAsync(BatchRecords<long> batch, Func<IDStream<long>, Dictionary<string, IDStream<long>>> queries)
    {
        var source = new SegmentSource();
        source.Batches.Enqueue(batch);
        await using var harness = new StreamHarness(options: Oracle.SmallPartitions);
        var collected = queries(harness.Context.AddInput(source)).ToDictionary(q => q.Key, q => StreamHarness.Collect(q.Value));
        await harness.StartAsync();
        var info = await harness.RunBatchAsync();
        if (info.Failure is not null)
        {
            throw info.Failure;
        }

        return collected.ToDictionary(c => c.Key, c => c.Value[info.Time]);
    }

    /// <summary>A source whose batches are given <see cref="BatchRecords{T}"/>, read through <see cref="ISealedInput.ReadRecordsAsync"/>.</summary>
    private sealed class SegmentSource : IBatchSource<long>
    {
        public ConcurrentQueue<BatchRecords<long>> Batches { get; } = new();

        public string Name => "Segments";

        public bool IsReplayable => false;

        public bool HasPending => !Batches.IsEmpty;

        public Task StartAsync(SourceContext context, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync() => Task.CompletedTask;

        public ISealedInput Seal(BatchTime time) => new Sealed(Batches.TryDequeue(out var batch) ? batch : new BatchRecords<long>([]));

        private sealed class Sealed(BatchRecords<long> records) : ISealedInput
        {
            public ValueTask<Array> ReadAsync(CancellationToken cancellationToken) => throw new InvalidOperationException("The engine reads segments, not one array.");

            public ValueTask<BatchRecords> ReadRecordsAsync(CancellationToken cancellationToken) => ValueTask.FromResult<BatchRecords>(records);
        }
    }
}
