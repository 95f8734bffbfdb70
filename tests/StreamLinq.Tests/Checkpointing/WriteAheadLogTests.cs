using System.Collections.Concurrent;
using System.Reactive.Subjects;
using System.Runtime.CompilerServices;

namespace StreamLinq.Tests.Checkpointing;

public class WriteAheadLogTests
{
    private static readonly ReceiverOptions Logged = new() { WriteAheadLog = true };

    private static BatchTime Second(int n) => CheckpointHarness.Second(n);

    [Fact]
    public async Task Records_a_receiver_acknowledged_survive_a_driver_that_dies_before_sealing_them()
    {
        using var scratch = new Scratch();
        var seen = new ConcurrentQueue<(BatchTime, int)>();
        var subject = new Subject<int>();
        await using (var first = new CheckpointHarness(scratch.Checkpoints, context => Collect(context.FromObservable(subject, Logged), seen)))
        {
            await first.StartAsync();
            subject.OnNext(1);
            await first.RunUntilAsync(Second(1));
            subject.OnNext(2);
            subject.OnNext(3);

            // The driver dies: the receiver's buffer (2, 3) is gone with it.
            await first.Context.StopAsync(graceful: false);
        }

        var again = new Subject<int>();
        await using var second = new CheckpointHarness(scratch.Checkpoints, context => Collect(context.FromObservable(again, Logged), seen), clockStart: Second(1).Ticks);
        await second.StartAsync();
        again.OnNext(4);
        await second.RunUntilAsync(Second(2));
        Assert.Equal([(Second(1), 1), (Second(2), 2), (Second(2), 3), (Second(2), 4)], seen.ToArray());
    }

    [Fact]
    public async Task A_pending_batch_of_a_logged_receiver_is_replayed_with_its_records_under_exactly_once()
    {
        using var scratch = new Scratch();
        var fail = new StrongBox<bool>(true);
        var seen = new ConcurrentQueue<(BatchTime, int)>();
        var subject = new Subject<int>();
        void Define(StreamingContext context, IObservable<int> source) =>
            context.FromObservable(source, Logged).ForEachBatch([IdempotentSink] (IReadOnlyList<int> batch, BatchTime time) =>
            {
                if (fail.Value)
                {
                    throw new InvalidOperationException("the sink is down");
                }

                foreach (var n in batch)
                {
                    seen.Enqueue((time, n));
                }
            }, DeliveryGuarantee.ExactlyOnce);

        await using (var first = new CheckpointHarness(scratch.Checkpoints, context => Define(context, subject)))
        {
            await first.StartAsync();
            subject.OnNext(7);
            subject.OnNext(8);
            Assert.NotNull((await first.RunUntilAsync(Second(1))).Failure);
        }

        fail.Value = false;
        await using var second = new CheckpointHarness(scratch.Checkpoints, context => Define(context, new Subject<int>()));
        await second.StartAsync();
        await second.RunUntilAsync(Second(1));
        Assert.Equal([(Second(1), 7), (Second(1), 8)], seen.ToArray());

        // Once committed and past every kept checkpoint (3), the batch's log segment is gone.
        var segment = Assert.Single(Directory.GetFiles(Path.Combine(scratch.Checkpoints, "receivers"), "segment-000000000000.jsonl", SearchOption.AllDirectories));
        await second.RunUntilAsync(Second(2));
        Assert.True(File.Exists(segment));
        await second.RunUntilAsync(Second(5));
        Assert.False(File.Exists(segment));
    }

    [Fact]
    public async Task A_write_ahead_log_without_a_checkpoint_directory_is_refused_at_start()
    {
        await using var context = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = new FakeTimeProvider(DateTimeOffset.UnixEpoch) });
        context.FromObservable(new Subject<int>(), Logged).ForEachBatch((_, _) => { });
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => context.StartAsync());
        Assert.Contains("GetOrCreate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exactly_once_over_a_receiver_without_a_log_is_refused_naming_the_source()
    {
        await using var context = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = new FakeTimeProvider(DateTimeOffset.UnixEpoch) });
        context.FromObservable(new Subject<int>()).ForEachBatch([IdempotentSink] (IReadOnlyList<int> _, BatchTime _) => { }, DeliveryGuarantee.ExactlyOnce);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => context.StartAsync());
        Assert.Contains("ObservableStream", error.Message, StringComparison.Ordinal);
    }

    private static void Collect(IDStream<int> stream, ConcurrentQueue<(BatchTime, int)> seen) =>
        stream.ForEachBatch((batch, time) =>
        {
            foreach (var n in batch)
            {
                seen.Enqueue((time, n));
            }
        });
}
