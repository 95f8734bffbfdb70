using System.Collections.Concurrent;
using System.Threading.Channels;
using StreamLinq.Connectors.Sample;

namespace StreamLinq.Connectors.Tests;

/// <summary>
/// A push source on the public <see cref="Sources.PushSource{T}"/> base: what it stores reaches the
/// batches in order, nothing twice; its bounded buffer holds the producer back instead of growing;
/// a receive loop that throws fails the batches after it, naming the source.
/// </summary>
public sealed class PushSourceTests
{
    [Fact]
    public async Task Every_record_written_to_the_channel_reaches_one_batch_in_order()
    {
        var channel = Channel.CreateUnbounded<int>();
        var seen = new ConcurrentQueue<int>();
        await using var context = new StreamingContext(TimeSpan.FromMilliseconds(20));
        context.AddInput(new ChannelSource<int>(channel.Reader)).ForEachBatch((batch, _) =>
        {
            foreach (var n in batch)
            {
                seen.Enqueue(n);
            }
        });
        await context.StartAsync();
        var expected = Enumerable.Range(0, 5_000).ToList();
        foreach (var n in expected)
        {
            await channel.Writer.WriteAsync(n);
        }

        await WaitUntilAsync(() => seen.Count >= expected.Count);
        await context.StopAsync(graceful: true);
        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task A_full_buffer_holds_the_receive_loop_back_until_the_next_batch()
    {
        var channel = Channel.CreateUnbounded<int>();
        for (var n = 0; n < 100; n++)
        {
            channel.Writer.TryWrite(n);
        }

        var batches = new ConcurrentQueue<int>();
        // Batches far apart: the loop fills the buffer and must wait for a seal.
        await using var context = new StreamingContext(TimeSpan.FromMilliseconds(300));
        context.AddInput(new ChannelSource<int>(channel.Reader, new ReceiverOptions { BufferCapacity = 10 }))
            .ForEachBatch((batch, _) => batches.Enqueue(batch.Count));
        await context.StartAsync();
        await WaitUntilAsync(() => batches.Sum() >= 30);
        await context.StopAsync(graceful: false);
        Assert.All(batches, count => Assert.InRange(count, 0, 10));
    }

    [Fact]
    public async Task A_receive_loop_that_throws_fails_a_later_batch_naming_the_source()
    {
        await using var context = new StreamingContext(TimeSpan.FromMilliseconds(20));
        context.AddInput(new ThrowingSource()).ForEachBatch((_, _) => { });
        await context.StartAsync();
        var error = await Assert.ThrowsAnyAsync<Exception>(() => context.AwaitTerminationAsync().WaitAsync(TimeSpan.FromSeconds(60)));
        var all = Flatten(error).ToList();
        Assert.Contains(all, e => e is SourceException { SourceName: "Throwing" } && e.Message.Contains("the sensor went away", StringComparison.Ordinal));
    }

    private static IEnumerable<Exception> Flatten(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
                {
                    yield return inner;
                }
            }
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 60 s");
            await Task.Delay(20);
        }
    }

    /// <summary>Stores two records, then fails as a device that disconnects for good would.</summary>
    private sealed class ThrowingSource() : Sources.PushSource<int>("Throwing")
    {
        protected override async Task ReceiveAsync(CancellationToken cancellationToken)
        {
            await StoreAsync(1, cancellationToken);
            await StoreAsync(2, cancellationToken);
            throw new IOException("the sensor went away");
        }
    }
}
