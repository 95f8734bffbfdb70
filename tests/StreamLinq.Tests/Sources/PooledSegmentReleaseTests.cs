using System.Collections.Concurrent;
using StreamLinq.Sources;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Sources;

/// <summary>
/// A push source's pooled chunks are the batch's segments: the batch reads them in place and
/// returns each to its pool exactly once, after every output of the batch ran, whether the batch
/// succeeded, failed, or was retried. The pool poisons what comes back, so a read after a return
/// shows as wrong records.
/// </summary>
public class PooledSegmentReleaseTests
{
    private const long Poison = -1_000_000;
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(5);

    [Fact]
    public async Task Chunks_go_back_once_after_the_outputs_ran_and_never_while_a_batch_reads_them()
    {
        await using var harness = new StreamHarness();
        var (source, pool) = Source();
        var returnedDuringOutputs = new ConcurrentQueue<int>();
        var sums = new ConcurrentQueue<long>();
        var stream = harness.Context.AddInput(source);
        stream.Where(x => x % 3 != 0).Select(x => x * 2).Sum().ForEachBatch((b, _) => sums.Enqueue(b[0]));
        var seen = StreamHarness.Collect(stream);
        stream.ForEachBatch((_, _) => returnedDuringOutputs.Enqueue(pool.Returned));
        await harness.StartAsync();

        var returnedBefore = new List<int>();
        var expected = new List<long[]>();
        for (var b = 0; b < 3; b++)
        {
            var records = Enumerable.Range(b * 100, 40 + b).Select(x => (long)x).ToArray();
            await source.PushAsync(records);
            returnedBefore.Add(pool.Returned);
            var info = await harness.RunBatchAsync();
            Assert.Null(info.Failure);
            Assert.Equal(records, seen[info.Time]);
            expected.Add(records);
        }

        Assert.Equal(expected.Select(r => r.Where(x => x % 3 != 0).Sum(x => x * 2)), sums);
        Assert.Equal(returnedBefore, returnedDuringOutputs);
        Assert.True(pool.Returned > returnedBefore[0], "no chunk went back to the pool");
        Assert.Empty(pool.Misuses);
    }

    [Fact]
    public async Task A_batch_that_fails_for_good_returns_its_chunks_once()
    {
        await using var harness = new StreamHarness(options: new StreamingOptions { StopOnBatchFailure = false, RestartStrategy = RestartStrategy.None });
        var (source, pool) = Source();
        var stream = harness.Context.AddInput(source);
        var returnedDuringOutputs = new ConcurrentQueue<int>();
        stream.Select(x => x + 1).ForEachBatch((_, _) =>
        {
            returnedDuringOutputs.Enqueue(pool.Returned);
            throw new InvalidOperationException("the sink refused the batch");
        });
        await harness.StartAsync();
        await source.PushAsync(Enumerable.Range(0, 50).Select(x => (long)x).ToArray());
        var before = pool.Returned;

        var info = await harness.RunBatchAsync();

        Assert.NotNull(info.Failure);
        Assert.Equal([before], returnedDuringOutputs);
        Assert.True(pool.Returned > before, "the failed batch kept its chunks");
        Assert.Empty(pool.Misuses);
    }

    [Fact]
    public async Task A_retried_plan_reads_the_same_segments_again_before_they_go_back()
    {
        await using var harness = new StreamHarness(options: new StreamingOptions { RestartStrategy = RestartStrategy.FixedDelay(5, Short), IsTransient = _ => true });
        var (source, pool) = Source();
        var stream = harness.Context.AddInput(source);
        var filter = new FailsOnce();
        var sums = new ConcurrentQueue<long>();
        var returnedDuringOutputs = new ConcurrentQueue<int>();
        stream.Where(x => filter.Keeps(x))
            .Sum()
            .ForEachBatch((b, _) =>
            {
                returnedDuringOutputs.Enqueue(pool.Returned);
                sums.Enqueue(b[0]);
            });
        await harness.StartAsync();
        var records = Enumerable.Range(0, 60).Select(x => (long)x).ToArray();
        await source.PushAsync(records);
        var before = pool.Returned;

        var info = await harness.RunBatchAsync(drive: Short);

        Assert.Null(info.Failure);
        Assert.True(filter.Failed, "the plan was not retried");
        Assert.Equal([records.Where(x => x % 2 == 0).Sum()], sums);
        Assert.Equal([before], returnedDuringOutputs);
        Assert.True(pool.Returned > before, "the retried batch kept its chunks");
        Assert.Empty(pool.Misuses);
    }

    /// <summary>A push source of 16-record chunks (a 64-record buffer) from a poisoning pool.</summary>
    private static (ManualPushSource Source, PoisoningPool<long> Pool) Source()
    {
        var pool = new PoisoningPool<long>(Poison);
        var source = new ManualPushSource(new ReceiverOptions { BufferCapacity = 64 });
        ((IReceiverSource<long>)source).Receiver.Pool = pool;
        return (source, pool);
    }

    /// <summary>Keeps even records; the first call throws a transient error, so the batch's plan runs again.</summary>
    private sealed class FailsOnce
    {
        private int _calls;

        public bool Failed => Volatile.Read(ref _calls) > 0;

        public bool Keeps(long record) =>
            Interlocked.Increment(ref _calls) == 1 ? throw new IOException("the lookup service is busy") : record % 2 == 0;
    }

    private sealed class ManualPushSource(ReceiverOptions options) : PushSource<long>("ManualPush", options)
    {
        public async Task PushAsync(long[] records)
        {
            foreach (var record in records)
            {
                await StoreAsync(record, CancellationToken.None);
            }
        }

        protected override async Task ReceiveAsync(CancellationToken cancellationToken)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The context stops; records are stored by PushAsync, not by this loop.
            }
        }
    }
}
