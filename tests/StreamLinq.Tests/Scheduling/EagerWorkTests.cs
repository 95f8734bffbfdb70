using System.Collections.Concurrent;
using System.Reactive.Subjects;
using FsCheck.Xunit;
using StreamLinq.Tests.Checkpointing;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Scheduling;

/// <summary>
/// Eager work (<see cref="StreamingOptions.EagerWorkMinInterval"/>): a filter, and a GroupBy,
/// over a push source run over the receiver's full chunks while the batch is open. Each test first
/// waits until the filter ran before the boundary, so the batch really uses eager results.
/// </summary>
public class EagerWorkTests
{
    /// <summary>Enough ints for several full chunks (16,384 each), so that an eager run starts (at 65,536 queued).</summary>
    private const int Many = 90_000;

    [Property(MaxTest = 6)]
    public void Results_with_eager_work_equal_linq_to_objects(int seed, byte first, byte second)
    {
        RunAsync(seed, [Many + (first * 400), Many + (second * 400)]).GetAwaiter().GetResult();
    }

    private static async Task RunAsync(int seed, int[] sizes)
    {
        await using var harness = new StreamHarness();
        var subject = new Subject<int>();
        var probe = new Probe();
        var kept = harness.Context.FromObservable(subject).Where(x => probe.Keep(x));
        var records = StreamHarness.Collect(kept);
        var indexed = new ConcurrentDictionary<BatchTime, int[]>();

        // The list an output gets, read by index backwards, so that each segment is looked up again.
        kept.ForEachBatch((batch, time) => indexed[time] = [.. Enumerable.Range(0, batch.Count).Reverse().Select(i => batch[i]).Reverse()]);
        var groups = StreamHarness.Collect(kept.GroupBy(x => x % 100).Select(g => new Group(g.Key, g.Count(), g.Sum())));
        await harness.StartAsync();
        var random = new Random(seed);
        foreach (var size in sizes)
        {
            var batch = Enumerable.Range(0, size).Select(_ => random.Next(-1000, 1000)).ToArray();
            var before = probe.Calls;
            foreach (var x in batch)
            {
                subject.OnNext(x);
            }

            await UntilAsync(() => probe.Calls > before, "the filter ran before the boundary");
            var done = await harness.RunBatchAsync();
            Assert.Null(done.Failure);
            var expected = batch.Where(Probe.Kept).ToArray();
            Assert.Equal(expected, records[done.Time]);
            Assert.Equal(expected, indexed[done.Time]);
            Assert.Equal(expected.GroupBy(x => x % 100).Select(g => new Group(g.Key, g.Count(), g.Sum())), groups[done.Time]);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_filter_runs_once_per_record_though_eager_work_ran_over_most_of_them(bool aggregated)
    {
        await using var harness = new StreamHarness();
        var subject = new Subject<int>();
        var probe = new Probe();
        var kept = harness.Context.FromObservable(subject).Where(x => probe.Keep(x));
        var records = aggregated ? null : StreamHarness.Collect(kept);
        var groups = aggregated ? StreamHarness.Collect(kept.GroupBy(x => x % 10).Select(g => new Group(g.Key, g.Count(), g.Sum(x => x % 1000)))) : null;
        await harness.StartAsync();
        var pushed = 0;
        for (var batch = 0; batch < 3; batch++)
        {
            var eagerBefore = pushed;
            for (var i = 0; i < Many; i++)
            {
                subject.OnNext(pushed++);
            }

            await UntilAsync(() => probe.Calls > eagerBefore, "the filter ran before the boundary");
            var done = await harness.RunBatchAsync();
            Assert.Null(done.Failure);
            Assert.Equal(pushed, probe.Calls);
            var expected = Enumerable.Range(eagerBefore, Many).Where(Probe.Kept).ToArray();
            if (aggregated)
            {
                Assert.Equal(expected.GroupBy(x => x % 10).Select(g => new Group(g.Key, g.Count(), g.Sum(x => x % 1000))), groups![done.Time]);
            }
            else
            {
                Assert.Equal(expected, records![done.Time]);
            }
        }
    }

    [Fact]
    public async Task A_predicate_that_throws_during_eager_work_fails_that_batch_at_its_time_and_the_next_batch_runs()
    {
        await using var harness = new StreamHarness(options: new StreamingOptions { StopOnBatchFailure = false });
        var subject = new Subject<int>();
        var probe = new Probe { Poison = -1 };
        var records = StreamHarness.Collect(harness.Context.FromObservable(subject).Where(x => probe.Keep(x)));
        await harness.StartAsync();
        for (var i = 0; i < Many; i++)
        {
            subject.OnNext(i == 100 ? -1 : i);
        }

        await UntilAsync(() => probe.Threw, "the filter threw before the boundary");
        Assert.Empty(records);
        var failed = await harness.RunBatchAsync();
        var failure = Assert.IsType<BatchFailedException>(failed.Failure);
        Assert.Contains("FusedStage", failure.Message, StringComparison.Ordinal);
        Assert.Equal("poisoned record -1", Assert.IsType<InvalidOperationException>(failure.InnerException).Message);

        var calls = probe.Calls;
        var next = Enumerable.Range(0, Many).ToArray();
        foreach (var x in next)
        {
            subject.OnNext(x);
        }

        await UntilAsync(() => probe.Calls > calls, "eager work ran again after the seal");
        var done = await harness.RunBatchAsync();
        Assert.Null(done.Failure);
        Assert.Equal(next.Where(Probe.Kept), records[done.Time]);
    }

    [Fact]
    public async Task A_batch_replayed_from_the_write_ahead_log_gives_the_output_eager_work_would_have()
    {
        using var scratch = new Scratch();
        var down = true;
        var seen = new ConcurrentQueue<int>();
        var probe = new Probe();
        var logged = new ReceiverOptions { WriteAheadLog = true };
        void Define(StreamingContext context, IObservable<int> source) =>
            context.FromObservable(source, logged).Where(x => probe.Keep(x)).ForEachBatch([IdempotentSink] (IReadOnlyList<int> batch, BatchTime _) =>
            {
                if (down)
                {
                    throw new InvalidOperationException("the sink is down");
                }

                foreach (var x in batch)
                {
                    seen.Enqueue(x);
                }
            }, DeliveryGuarantee.ExactlyOnce);

        var records = Enumerable.Range(0, Many).Select(i => (i * 7919) % 1000).ToArray();
        var subject = new Subject<int>();
        await using (var first = new CheckpointHarness(scratch.Checkpoints, context => Define(context, subject)))
        {
            await first.StartAsync();
            foreach (var x in records)
            {
                subject.OnNext(x);
            }

            await UntilAsync(() => probe.Calls > 0, "the filter ran before the boundary");
            Assert.NotNull((await first.RunUntilAsync(CheckpointHarness.Second(1))).Failure);
        }

        down = false;
        await using var second = new CheckpointHarness(scratch.Checkpoints, context => Define(context, new Subject<int>()));
        await second.StartAsync();
        Assert.Null((await second.RunUntilAsync(CheckpointHarness.Second(1))).Failure);
        Assert.Equal(records.Where(Probe.Kept), seen);
    }

    private static async Task UntilAsync(Func<bool> condition, string what)
    {
        var limit = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition() && DateTime.UtcNow < limit)
        {
            await Task.Delay(5);
        }

        Assert.True(condition(), $"Not seen within 20 s: {what}.");
    }

    private sealed record Group(int Key, int N, int S);

    /// <summary>The filter's user function: counts its calls, and throws on the poisoned value.</summary>
    private sealed class Probe
    {
        private int _calls;
        private volatile bool _threw;

        public int? Poison { get; init; }

        public int Calls => Volatile.Read(ref _calls);

        public bool Threw => _threw;

        public static bool Kept(int x) => x % 5 != 0;

        public bool Keep(int x)
        {
            Interlocked.Increment(ref _calls);
            if (x == Poison)
            {
                _threw = true;
                throw new InvalidOperationException($"poisoned record {x}");
            }

            return Kept(x);
        }
    }
}
