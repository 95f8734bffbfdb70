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

    private static BatchInfo Batch(int second, long records, double processingMs)
    {
        var time = new BatchTime(TimeSpan.FromSeconds(second).Ticks);
        var start = time.Ticks;
        return new BatchInfo(time, start, start, start + TimeSpan.FromMilliseconds(processingMs).Ticks, records);
    }

    private sealed class RecordingSource : IRateControlledSource
    {
        public double Rate { get; private set; }

        public void SetRate(double recordsPerSecond) => Rate = recordsPerSecond;
    }
}
