using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Reactive.Subjects;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Sources;

/// <summary>
/// Every place a receiver holds a producer back or drops input is visible: the listener event
/// (<see cref="IStreamingListener.OnReceiverBlocked"/>, <see cref="IStreamingListener.OnRecordsDropped"/>)
/// and the metrics; and each full-buffer policy does what it says.
/// </summary>
public sealed class ReceiverHoldBackTests : IDisposable
{
    private readonly MeterListener _meters = new();
    private readonly ConcurrentDictionary<(string Instrument, string Reason), double> _totals = new();

    public ReceiverHoldBackTests()
    {
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "StreamLinq" && instrument.Name.StartsWith("streamlinq.receiver.", StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _meters.Start();
    }

    [Fact]
    public async Task A_producer_waiting_for_room_is_reported_and_its_wait_counted()
    {
        await using var harness = new StreamHarness();
        var blocked = new BlockedListener();
        harness.Context.AddListener(blocked);
        var subject = new Subject<int>();
        var results = StreamHarness.Collect(harness.Context.FromObservable(subject, new ReceiverOptions { BufferCapacity = 2 }));
        await harness.StartAsync();
        var producer = Task.Run(() =>
        {
            for (var i = 0; i < 3; i++)
            {
                subject.OnNext(i); // the third waits for the seal
            }
        });

        var reported = await blocked.First.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(ReceiverBlockReason.BufferFull, reported.Reason);
        Assert.Equal("ObservableStream", reported.Source);
        Assert.Equal(2, reported.Capacity);
        Assert.False(producer.IsCompleted);

        await harness.RunBatchAsync();
        await producer.WaitAsync(TimeSpan.FromSeconds(30));
        await harness.RunBatchAsync();
        Assert.Equal([0, 1, 2], results.OrderBy(r => r.Key).SelectMany(r => r.Value));
        Assert.True(Total("streamlinq.receiver.records_held_back", "buffer-full") >= 1);
        Assert.True(Total("streamlinq.receiver.blocked_time", "buffer-full") > 0);
    }

    [Fact]
    public async Task A_producer_waiting_for_the_rate_limit_is_reported_with_the_rate()
    {
        await using var harness = new StreamHarness();
        var blocked = new BlockedListener();
        harness.Context.AddListener(blocked);
        var subject = new Subject<int>();
        StreamHarness.Collect(harness.Context.FromObservable(subject, new ReceiverOptions { MaxRatePerSecond = 200 }));
        await harness.StartAsync();
        var producer = Task.Run(() =>
        {
            for (var i = 0; i < 10; i++)
            {
                subject.OnNext(i);
            }
        });

        var reported = await blocked.First.WaitAsync(TimeSpan.FromSeconds(30));
        await producer.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(ReceiverBlockReason.RateLimit, reported.Reason);
        Assert.Equal(200, reported.RatePerSecond);
        Assert.True(Total("streamlinq.receiver.records_held_back", "rate-limit") >= 1);
    }

    [Fact]
    public async Task DropNewest_keeps_the_first_records_and_reports_the_count_dropped()
    {
        await using var harness = new StreamHarness();
        var subject = new Subject<int>();
        var results = StreamHarness.Collect(harness.Context.FromObservable(subject, new ReceiverOptions { BufferCapacity = 4, OnFullBuffer = FullBufferPolicy.DropNewest }));
        await harness.StartAsync();
        for (var i = 0; i < 10; i++)
        {
            subject.OnNext(i);
        }

        var batch = await harness.RunBatchAsync();
        Assert.Equal([0, 1, 2, 3], results[batch.Time]);
        var dropped = Assert.Single(harness.Dropped);
        Assert.Equal(6, dropped.Records);
        Assert.Equal("ObservableStream", dropped.Source);
        Assert.Contains("DropNewest", dropped.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DropOldest_keeps_the_newest_records_and_reports_the_count_dropped()
    {
        await using var harness = new StreamHarness();
        var subject = new Subject<int>();
        var results = StreamHarness.Collect(harness.Context.FromObservable(subject, new ReceiverOptions { BufferCapacity = 4, OnFullBuffer = FullBufferPolicy.DropOldest }));
        await harness.StartAsync();
        for (var i = 0; i < 10; i++)
        {
            subject.OnNext(i);
        }

        var batch = await harness.RunBatchAsync();
        Assert.Equal([6, 7, 8, 9], results[batch.Time]);
        Assert.Equal(6, Assert.Single(harness.Dropped).Records);
    }

    [Fact]
    public async Task Fail_on_a_full_buffer_fails_the_source_after_the_records_it_held()
    {
        await using var harness = new StreamHarness(options: new StreamingOptions { StopOnBatchFailure = false });
        var subject = new Subject<int>();
        var results = StreamHarness.Collect(harness.Context.FromObservable(subject, new ReceiverOptions { BufferCapacity = 2, OnFullBuffer = FullBufferPolicy.Fail }));
        await harness.StartAsync();
        for (var i = 0; i < 5; i++)
        {
            subject.OnNext(i);
        }

        var first = await harness.RunBatchAsync();
        var second = await harness.RunBatchAsync();
        Assert.Equal([0, 1], results[first.Time]);
        var failure = Assert.IsType<SourceException>(Assert.IsType<BatchFailedException>(second.Failure).InnerException);
        Assert.Equal("ObservableStream", failure.SourceName);
        Assert.Contains("buffer is full (2 records)", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DropOldest_with_a_write_ahead_log_is_refused_naming_both_options()
    {
        await using var context = new StreamingContext(TimeSpan.FromSeconds(1));
        var error = Assert.Throws<ArgumentException>(() => context.FromObservable(new Subject<int>(), new ReceiverOptions { WriteAheadLog = true, OnFullBuffer = FullBufferPolicy.DropOldest }));
        Assert.Contains("DropOldest", error.Message, StringComparison.Ordinal);
        Assert.Contains("WriteAheadLog", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _meters.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var reason = "";
        foreach (var tag in tags)
        {
            if (tag.Key == "reason")
            {
                reason = (string)tag.Value!;
            }
        }

        _totals.AddOrUpdate((instrument.Name, reason), value, (_, total) => total + value);
    }

    private double Total(string instrument, string reason) => _totals.GetValueOrDefault((instrument, reason));

    private sealed class BlockedListener : IStreamingListener
    {
        private readonly TaskCompletionSource<ReceiverBlocked> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<ReceiverBlocked> First => _first.Task;

        public void OnReceiverBlocked(ReceiverBlocked blocked) => _first.TrySetResult(blocked);
    }
}
