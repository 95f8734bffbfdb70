using System.Reactive.Subjects;
using System.Runtime.CompilerServices;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Sources;

public class PushSourceTests
{
    [Fact]
    public async Task Observable_values_pushed_during_an_interval_form_that_batch()
    {
        await using var harness = new StreamHarness();
        var subject = new Subject<string>();
        var results = StreamHarness.Collect(harness.Context.FromObservable(subject));
        await harness.StartAsync();
        subject.OnNext("a");
        subject.OnNext("b");
        var first = await harness.RunBatchAsync();
        var empty = await harness.RunBatchAsync();
        subject.OnNext("c");
        var third = await harness.RunBatchAsync();
        Assert.Equal(new[] { "a", "b" }, results[first.Time]);
        Assert.Empty(results[empty.Time]);
        Assert.Equal(new[] { "c" }, results[third.Time]);
    }

    [Fact]
    public async Task An_observable_error_fails_the_next_batch_with_the_source_named()
    {
        await using var harness = new StreamHarness();
        var subject = new Subject<int>();
        StreamHarness.Collect(harness.Context.FromObservable(subject));
        await harness.StartAsync();
        subject.OnError(new IOException("device unplugged"));
        var batch = await harness.RunBatchAsync();
        var failure = Assert.IsType<BatchFailedException>(batch.Failure);
        var source = Assert.IsType<SourceException>(failure.InnerException);
        Assert.Equal("ObservableStream", source.SourceName);
        Assert.Contains("device unplugged", source.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Async_sequence_values_are_received_in_order()
    {
        await using var harness = new StreamHarness();
        var results = StreamHarness.Collect(harness.Context.FromAsyncEnumerable(Numbers(50, throwAtEnd: false)));
        await harness.StartAsync();
        await Eventually.RunBatchesUntilAsync(harness, () => results.Values.Sum(b => b.Length) == 50);
        Assert.Equal(Enumerable.Range(0, 50), results.OrderBy(r => r.Key).SelectMany(r => r.Value));
    }

    [Fact]
    public async Task An_async_sequence_that_throws_keeps_what_it_yielded_and_then_fails_visibly()
    {
        await using var harness = new StreamHarness(options: new StreamingOptions { StopOnBatchFailure = false });
        var results = StreamHarness.Collect(harness.Context.FromAsyncEnumerable(Numbers(5, throwAtEnd: true)));
        var failures = new List<Exception>();
        await harness.StartAsync();
        for (var i = 0; i < 200 && failures.Count == 0; i++)
        {
            await Task.Delay(10);
            if ((await harness.RunBatchAsync()).Failure is { } failure)
            {
                failures.Add(failure);
            }
        }

        Assert.Equal(Enumerable.Range(0, 5), results.OrderBy(r => r.Key).SelectMany(r => r.Value));
        var source = Assert.IsType<SourceException>(Assert.Single(failures).InnerException);
        Assert.Contains("sequence broke", source.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_full_receiver_holds_the_producer_back_instead_of_dropping_or_growing()
    {
        await using var harness = new StreamHarness();
        var results = StreamHarness.Collect(harness.Context.FromAsyncEnumerable(Numbers(20, throwAtEnd: false), new ReceiverOptions { BufferCapacity = 3 }));
        await harness.StartAsync();
        await Eventually.RunBatchesUntilAsync(harness, () => results.Values.Sum(b => b.Length) == 20);
        Assert.All(results.Values, batch => Assert.True(batch.Length <= 3));
        Assert.Equal(Enumerable.Range(0, 20), results.OrderBy(r => r.Key).SelectMany(r => r.Value));
    }

    [Fact]
    public async Task A_rate_limited_receiver_still_delivers_every_record_in_order()
    {
        await using var harness = new StreamHarness();
        var results = StreamHarness.Collect(harness.Context.FromAsyncEnumerable(Numbers(30, throwAtEnd: false), new ReceiverOptions { MaxRatePerSecond = 1000 }));
        await harness.StartAsync();
        await Eventually.RunBatchesUntilAsync(harness, () => results.Values.Sum(b => b.Length) == 30);
        Assert.Equal(Enumerable.Range(0, 30), results.OrderBy(r => r.Key).SelectMany(r => r.Value));
    }

    private static async IAsyncEnumerable<int> Numbers(int count, bool throwAtEnd, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return i;
        }

        if (throwAtEnd)
        {
            throw new InvalidOperationException("sequence broke");
        }
    }
}
