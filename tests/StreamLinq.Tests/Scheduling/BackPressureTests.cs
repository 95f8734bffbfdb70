using System.Reactive.Subjects;
using StreamLinq.Scheduling;
using StreamLinq.Sources;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Scheduling;

public class BackPressureTests
{
    [Fact]
    public void The_controller_splits_the_estimated_rate_across_receivers_and_skips_failed_batches()
    {
        var sources = new[] { new RecordingSource(), new RecordingSource() };
        var controller = new RateController(TimeSpan.FromSeconds(1), sources);
        controller.OnBatchCompleted(Batch(1, 1000, processingMs: 500));
        controller.OnBatchCompleted(Batch(2, 1000, processingMs: 1000) with { Failure = new BatchFailedException(default, "x", new IOException()) });
        controller.OnBatchCompleted(Batch(3, 1000, processingMs: 1000));
        Assert.Equal(1000, controller.CurrentRate!.Value, 6);
        Assert.All(sources, s => Assert.Equal(500, s.Rate, 6));
    }

    [Fact]
    public async Task With_back_pressure_on_a_receiver_keeps_delivering_every_record_in_order()
    {
        await using var harness = new StreamHarness(options: new StreamingOptions { BackPressure = true });
        var subject = new Subject<int>();
        var results = StreamHarness.Collect(harness.Context.FromObservable(subject));
        await harness.StartAsync();
        for (var batch = 0; batch < 4; batch++)
        {
            for (var i = 0; i < 10; i++)
            {
                subject.OnNext(batch * 10 + i);
            }

            await harness.RunBatchAsync();
        }

        Assert.Equal(Enumerable.Range(0, 40), results.OrderBy(r => r.Key).SelectMany(r => r.Value));
    }

    [Fact]
    public void Sealing_counts_as_part_of_the_path_so_a_slow_seal_lowers_the_rate()
    {
        var quick = new RateController(TimeSpan.FromSeconds(1), [new RecordingSource()]);
        var slowSeal = new RateController(TimeSpan.FromSeconds(1), [new RecordingSource()]);
        for (var second = 1; second <= 3; second++)
        {
            quick.OnBatchCompleted(Batch(second, 1000, processingMs: 100));
            slowSeal.OnBatchCompleted(Batch(second, 1000, processingMs: 100, sealingMs: 400));
        }

        // 1,000 records over 100 ms of processing, against 100 ms plus 400 ms of sealing.
        Assert.Equal(10_000, quick.CurrentRate!.Value, 6);
        Assert.True(slowSeal.CurrentRate < 2_100, $"rate {slowSeal.CurrentRate}");
    }

    [Fact]
    public void Producers_held_back_by_a_full_receiver_bound_the_rate_by_what_ingest_took_per_interval()
    {
        var free = new RecordingSource();
        var held = new RecordingSource { Blocked = TimeSpan.FromMilliseconds(600) };
        var unblocked = new RateController(TimeSpan.FromSeconds(1), [free]);
        var blocked = new RateController(TimeSpan.FromSeconds(1), [held]);
        for (var second = 1; second <= 3; second++)
        {
            unblocked.OnBatchCompleted(Batch(second, 1000, processingMs: 10));
            blocked.OnBatchCompleted(Batch(second, 1000, processingMs: 10));
        }

        // The plan alone would take 100,000 records/s; ingest took 1,000 per 1 s interval and
        // still held its producer back, so the rate falls to or below that.
        Assert.True(unblocked.CurrentRate > 50_000, $"rate {unblocked.CurrentRate}");
        Assert.True(blocked.CurrentRate <= 1_000, $"rate {blocked.CurrentRate}");
    }

    [Fact]
    public async Task When_a_full_receiver_is_the_bottleneck_back_pressure_throttles_its_producer()
    {
        await using var harness = new StreamHarness(options: new StreamingOptions { BackPressure = true });
        var throttled = new TaskCompletionSource<ReceiverBlocked>(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Context.AddListener(new RateLimitWatcher(throttled));
        var subject = new System.Reactive.Subjects.Subject<int>();
        StreamHarness.Collect(harness.Context.FromObservable(subject, new ReceiverOptions { BufferCapacity = 1000 }));
        await harness.StartAsync();
        using var stop = new CancellationTokenSource();
        var producer = Task.Run(() =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                subject.OnNext(i);
            }
        });

        // The manual clock makes processing take no time: without ingest in the measure, the
        // estimator learns nothing and never limits the producer.
        for (var i = 0; i < 20 && !throttled.Task.IsCompleted; i++)
        {
            await Task.Delay(20);
            await harness.RunBatchAsync();
        }

        var limited = await throttled.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await harness.Context.StopAsync(graceful: false);
        await producer.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(limited.RatePerSecond <= 1000, $"rate {limited.RatePerSecond}");
    }

    private static BatchInfo Batch(int second, long records, double processingMs, double sealingMs = 0)
    {
        var time = new BatchTime(TimeSpan.FromSeconds(second).Ticks);
        var start = time.Ticks + TimeSpan.FromMilliseconds(sealingMs).Ticks;
        return new BatchInfo(time, start, start, start + TimeSpan.FromMilliseconds(processingMs).Ticks, records);
    }

    private sealed class RateLimitWatcher(TaskCompletionSource<ReceiverBlocked> throttled) : IStreamingListener
    {
        public void OnReceiverBlocked(ReceiverBlocked blocked)
        {
            if (blocked.Reason == ReceiverBlockReason.RateLimit)
            {
                throttled.TrySetResult(blocked);
            }
        }
    }

    private sealed class RecordingSource : IRateControlledSource
    {
        public double Rate { get; private set; }

        public TimeSpan Blocked { get; init; }

        public void SetRate(double recordsPerSecond) => Rate = recordsPerSecond;

        public TimeSpan TakeBlockedTime() => Blocked;
    }
}
