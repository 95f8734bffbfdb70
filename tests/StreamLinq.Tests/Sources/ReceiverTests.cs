using FsCheck;
using FsCheck.Xunit;
using StreamLinq.Sources;

namespace StreamLinq.Tests.Sources;

/// <summary>
/// The receiver's store and seal: whatever the interleaving of stores and seals, by one producer
/// or several at once, the batches hold every record exactly once and each producer's records in
/// the order it stored them (the oracle: the records stored, concatenated).
/// </summary>
public class ReceiverTests
{
    // How long the racing seals wait for the producers: far past their time on a loaded machine,
    // so that a producer that never finishes fails the test instead of spinning it forever.
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [Property(MaxTest = 100)]
    public void A_full_buffer_under_DropNewest_keeps_a_prefix_of_each_interval_and_reports_the_rest(PositiveInt capacity, int[] runs)
    {
        var bound = 1 + (capacity.Get % 50);
        var reported = 0L;
        using var receiver = new Receiver<int>(new ReceiverOptions { BufferCapacity = bound, OnFullBuffer = FullBufferPolicy.DropNewest });
        receiver.OpenLog(Context(TimeSpan.FromHours(1), dropped: d => reported += d.Records ?? 0), "drop-newest");
        var next = 0;
        var offered = 0L;
        var kept = 0L;
        foreach (var run in runs)
        {
            var stored = Enumerable.Range(next, Math.Abs(run % 200)).ToArray();
            next += stored.Length;
            foreach (var record in stored)
            {
                receiver.Store(record, CancellationToken.None);
            }

            var batch = Seal(receiver);
            Assert.Equal(stored.Take(batch.Length), batch);
            Assert.True(batch.Length <= bound, $"{batch.Length} records held under a bound of {bound}");
            // A chunk sealed while partly filled keeps its slot for the rest of its records, so at worst half the bound is usable.
            Assert.True(batch.Length >= Math.Min(stored.Length, bound / 2), $"only {batch.Length} of {stored.Length} records held under a bound of {bound}");
            offered += stored.Length;
            kept += batch.Length;
        }

        Assert.Equal(offered - kept, reported);
    }

    [Property(MaxTest = 50)]
    public void With_room_every_record_is_sealed_once_in_order(int[] runs)
    {
        using var receiver = new Receiver<long>(new ReceiverOptions());
        receiver.OpenLog(Context(TimeSpan.FromHours(1)), "room");
        var stored = new List<long>();
        var sealedRecords = new List<long>();
        foreach (var run in runs)
        {
            // Runs longer than a chunk, so that chunks fill, are handed off and are sealed partly filled.
            for (var i = 0; i < Math.Abs(run % 20_000); i++)
            {
                receiver.Store(stored.Count, CancellationToken.None);
                stored.Add(stored.Count);
            }

            sealedRecords.AddRange(Seal(receiver));
        }

        Assert.Equal(stored, sealedRecords);
    }

    [Fact]
    public async Task Seals_racing_one_producer_take_every_record_once_in_order()
    {
        using var receiver = new Receiver<int>(new ReceiverOptions());
        receiver.OpenLog(Context(TimeSpan.FromHours(1)), "race");
        var writer = receiver.CreateWriter();
        const int Count = 3_000_000;
        var producer = Task.Run(async () =>
        {
            for (var i = 0; i < Count; i++)
            {
                await writer.StoreAsync(i, CancellationToken.None);
            }
        });
        var sealedRecords = new List<int>(Count);
        var deadline = DateTime.UtcNow + Patience;
        while (!producer.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The producer had not stored its {Count} records after {Patience} of seals; {sealedRecords.Count} were sealed.");
            sealedRecords.AddRange(Seal(receiver));
        }

        await producer;
        sealedRecords.AddRange(Seal(receiver));
        Assert.Equal(Enumerable.Range(0, Count), sealedRecords);
    }

    [Fact]
    public void Synchronous_stores_from_several_threads_at_once_lose_nothing_and_keep_each_threads_order()
    {
        // An observable that breaks Rx's serial contract: its threads take the shared writer from
        // whichever of them owns it (the owner stores without a locked instruction) and from each other.
        using var receiver = new Receiver<(int Producer, int Index)>(new ReceiverOptions());
        receiver.OpenLog(Context(TimeSpan.FromHours(1)), "threads");
        const int Producers = 3;
        const int PerProducer = 300_000;
        using var start = new Barrier(Producers);
        var threads = Enumerable.Range(0, Producers).Select(p => new Thread(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < PerProducer; i++)
            {
                receiver.Store((p, i), CancellationToken.None);
            }
        })).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        var sealedRecords = new List<(int Producer, int Index)>();
        var deadline = DateTime.UtcNow + Patience;
        while (threads.Any(t => t.IsAlive))
        {
            Assert.True(DateTime.UtcNow < deadline, $"The threads had not stored their {Producers * PerProducer} records after {Patience} of seals; {sealedRecords.Count} were sealed.");
            sealedRecords.AddRange(Seal(receiver));
        }

        sealedRecords.AddRange(Seal(receiver));
        for (var p = 0; p < Producers; p++)
        {
            Assert.Equal(Enumerable.Range(0, PerProducer), sealedRecords.Where(r => r.Producer == p).Select(r => r.Index));
        }
    }

    [Fact]
    public async Task A_producer_whose_calls_move_between_threads_keeps_its_order()
    {
        // Serial calls from one thread after another (an observable observed on a pool): each move
        // takes the writer from the thread that owned it, until owners are no longer chosen.
        using var receiver = new Receiver<int>(new ReceiverOptions());
        receiver.OpenLog(Context(TimeSpan.FromHours(1)), "moving");
        const int Moves = 100;
        const int PerThread = 2_000;
        var producer = Task.Run(() =>
        {
            for (var move = 0; move < Moves; move++)
            {
                var first = move * PerThread;
                var thread = new Thread(() =>
                {
                    for (var i = first; i < first + PerThread; i++)
                    {
                        receiver.Store(i, CancellationToken.None);
                    }
                });
                thread.Start();
                thread.Join();
            }
        });
        var sealedRecords = new List<int>(Moves * PerThread);
        var deadline = DateTime.UtcNow + Patience;
        while (!producer.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The producer had not stored its {Moves * PerThread} records after {Patience} of seals; {sealedRecords.Count} were sealed.");
            sealedRecords.AddRange(Seal(receiver));
            await Task.Yield();
        }

        await producer;
        sealedRecords.AddRange(Seal(receiver));
        Assert.Equal(Enumerable.Range(0, Moves * PerThread), sealedRecords);
    }

    [Fact]
    public async Task Seals_racing_several_producers_keep_each_producers_order_and_lose_nothing()
    {
        using var receiver = new Receiver<(int Producer, int Index)>(new ReceiverOptions { BufferCapacity = 50_000 });
        receiver.OpenLog(Context(TimeSpan.FromHours(1)), "producers");
        const int Producers = 3;
        const int PerProducer = 400_000;
        var producers = Enumerable.Range(0, Producers).Select(p =>
        {
            // Each producer shares the receiver's StoreAsync with the others: overlapping calls are served, not lost.
            return Task.Run(async () =>
            {
                for (var i = 0; i < PerProducer; i++)
                {
                    await receiver.StoreAsync((p, i), CancellationToken.None);
                }
            });
        }).ToArray();
        var sealedRecords = new List<(int Producer, int Index)>();
        var all = Task.WhenAll(producers);
        var deadline = DateTime.UtcNow + Patience;
        while (!all.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The producers had not stored their {Producers * PerProducer} records after {Patience} of seals; {sealedRecords.Count} were sealed.");
            sealedRecords.AddRange(Seal(receiver));
            await Task.Yield();
        }

        await all;
        sealedRecords.AddRange(Seal(receiver));
        for (var p = 0; p < Producers; p++)
        {
            var mine = sealedRecords.Where(r => r.Producer == p).Select(r => r.Index).ToList();
            Assert.True(mine.Count == PerProducer && mine.SequenceEqual(Enumerable.Range(0, PerProducer)), $"producer {p}: {mine.Count} records, distinct {mine.Distinct().Count()}, first out of place at {Enumerable.Range(0, mine.Count).FirstOrDefault(i => mine[i] != i, -1)}, index of 0: {mine.IndexOf(0)}, total {sealedRecords.Count}");
            Assert.Equal(Enumerable.Range(0, PerProducer), sealedRecords.Where(r => r.Producer == p).Select(r => r.Index));
        }
    }

    [Fact]
    public async Task A_sealed_batch_reads_the_same_records_on_a_retry()
    {
        using var receiver = new Receiver<string>(new ReceiverOptions());
        receiver.OpenLog(Context(TimeSpan.FromHours(1)), "retry");
        receiver.Store("a", CancellationToken.None);
        receiver.Store("b", CancellationToken.None);
        var input = receiver.SealInput(out var count);
        var first = (string[])await input.ReadAsync(CancellationToken.None);
        var second = (string[])await input.ReadAsync(CancellationToken.None);
        Assert.Equal(2, count);
        Assert.Equal(["a", "b"], first);
        Assert.Same(first, second);
    }

    [Fact]
    public void Without_a_configured_bound_seals_on_time_let_a_batch_exceed_the_default_bound()
    {
        using var receiver = new Receiver<int>(new ReceiverOptions { OnFullBuffer = FullBufferPolicy.DropNewest });
        receiver.OpenLog(Context(TimeSpan.FromHours(1)), "unbounded-on-time");
        var offered = ReceiverOptions.DefaultBufferCapacity + 500_000;
        for (var i = 0; i < offered; i++)
        {
            receiver.Store(i, CancellationToken.None);
        }

        Assert.Equal(offered, Seal(receiver).Length);
    }

    [Fact]
    public void Without_a_configured_bound_seals_that_fall_behind_bring_the_default_bound_back()
    {
        using var receiver = new Receiver<int>(new ReceiverOptions { OnFullBuffer = FullBufferPolicy.DropNewest });

        // A one-tick interval: every seal is overdue, as when the engine holds seals back.
        receiver.OpenLog(Context(TimeSpan.FromTicks(1)), "unbounded-behind");
        Thread.Sleep(1);
        var offered = ReceiverOptions.DefaultBufferCapacity + 500_000;
        for (var i = 0; i < offered; i++)
        {
            receiver.Store(i, CancellationToken.None);
        }

        var kept = Seal(receiver);
        Assert.InRange(kept.Length, ReceiverOptions.DefaultBufferCapacity - ReceiverChunk<int>.DefaultLength, ReceiverOptions.DefaultBufferCapacity);
        Assert.Equal(Enumerable.Range(0, kept.Length), kept);
    }

    internal static SourceContext Context(TimeSpan interval, Action<ReceiverBlocked>? blocked = null, Action<RecordsDropped>? dropped = null) =>
        new((_, _) => { }, CancellationToken.None)
        {
            BatchInterval = interval,
            ReceiverBlockedListener = blocked,
            RecordsDroppedListener = dropped,
        };

    internal static T[] Seal<T>(Receiver<T> receiver) =>
        (T[])receiver.SealInput(out _).ReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
}
