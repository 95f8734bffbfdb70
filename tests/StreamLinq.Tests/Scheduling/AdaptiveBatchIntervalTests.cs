using System.Diagnostics.Metrics;
using FsCheck;
using FsCheck.Xunit;
using StreamLinq.Scheduling;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Scheduling;

/// <summary>
/// Adaptive batching (<see cref="StreamingOptions.AdaptiveInterval"/>) against a processing-time
/// model: a batch of <c>n</c> records takes <c>a + b·n</c> seconds and records arrive at a steady
/// rate <c>r</c>; the stable interval is then <c>a / (1 − b·r − h)</c>, the headroom <c>h</c> being
/// 0.2 or, nearer capacity, a quarter of the slack <c>1 − b·r</c>. Batches run through
/// the real schedule and controller on virtual batch times, never on wall time.
/// </summary>
public class AdaptiveBatchIntervalTests
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);
    private static readonly AdaptiveBatchInterval Bounds = new(10 * Ms, TimeSpan.FromSeconds(10));

    [Property(MaxTest = 100)]
    public void Under_a_steady_load_the_interval_settles_within_a_few_batches_on_the_smallest_stable_one(PositiveInt fixedMs, PositiveInt microsPerRecord, PositiveInt load)
    {
        var fixedCost = (1 + (fixedMs.Get % 200)) / 1000.0;
        var perRecord = (1 + (microsPerRecord.Get % 50)) / 1e6;
        var utilisation = (load.Get % 95) / 100.0; // b·r from 0 to 0.94
        var rate = utilisation / perRecord;
        var run = new ModelRun(Bounds, TimeSpan.FromSeconds(1));
        var intervals = run.Batches(48, fixedCost, perRecord, rate);

        var headroom = Math.Min(0.2, (1 - utilisation) / 4);
        var stable = Math.Clamp(fixedCost / (1 - utilisation - headroom), Bounds.Minimum.TotalSeconds, Bounds.Maximum.TotalSeconds);
        var settled = intervals.Skip(24).ToList();
        Assert.True(settled.All(x => x == settled[0]) && settled[0].TotalSeconds >= stable - 1e-9 && settled[0].TotalSeconds <= (stable * 1.05) + 0.010, $"a {fixedCost} b {perRecord} load {utilisation} stable {stable}: " + string.Join(" ", intervals.Select(x => x.TotalMilliseconds)));

        // Stable: processing keeps up with the input, with the headroom.
        Assert.True(fixedCost + (perRecord * rate * settled[0].TotalSeconds) <= settled[0].TotalSeconds * (1 - headroom) + 1e-9);
    }

    [Fact]
    public void A_load_step_up_and_back_down_is_followed_within_a_few_batches()
    {
        var run = new ModelRun(Bounds, TimeSpan.FromSeconds(1));
        const double fixedCost = 0.050, perRecord = 10e-6;
        var low = run.Batches(24, fixedCost, perRecord, rate: 20_000); // b·r = 0.2, headroom 0.2: stable at 84 ms
        Assert.InRange(low[^1].TotalMilliseconds, 84, 90);

        var high = run.Batches(16, fixedCost, perRecord, rate: 70_000); // b·r = 0.7, headroom 0.075: stable at 222 ms
        Assert.InRange(high[4].TotalMilliseconds, 222, 240);
        Assert.All(high.Skip(4), x => Assert.Equal(high[4], x));

        var back = run.Batches(16, fixedCost, perRecord, rate: 20_000); // down by at most a quarter per batch
        Assert.InRange(back[8].TotalMilliseconds, 84, 90);
    }

    [Fact]
    public void An_input_faster_than_any_interval_can_take_goes_to_the_longest_interval()
    {
        var run = new ModelRun(Bounds, TimeSpan.FromSeconds(1));
        var intervals = run.Batches(12, fixedCost: 0.010, perRecord: 10e-6, rate: 110_000); // b·r = 1.1
        Assert.Equal(Bounds.Maximum, intervals[^1]);
    }

    [Fact]
    public void While_back_pressure_holds_producers_back_the_interval_never_shortens()
    {
        var run = new ModelRun(Bounds, TimeSpan.FromSeconds(1), heldBack: true);
        var intervals = run.Batches(6, fixedCost: 0.001, perRecord: 1e-6, rate: 1000);
        Assert.Equal(intervals.Order(), intervals);
        Assert.True(intervals[^1] > intervals[0]);
    }

    [Fact]
    public void With_a_window_only_divisors_of_its_length_and_slide_are_chosen()
    {
        var run = new ModelRun(Bounds, TimeSpan.FromSeconds(1), windowPeriod: TimeSpan.FromSeconds(3));
        var intervals = run.Batches(24, fixedCost: 0.050, perRecord: 10e-6, rate: 20_000); // 84 ms unconstrained
        Assert.All(intervals, x => Assert.Equal(0, TimeSpan.FromSeconds(3).Ticks % x.Ticks));
        Assert.Equal(TimeSpan.FromSeconds(3) / 32, intervals[^1]); // 93.75 ms: the smallest divisor of 3 s at or above 84 ms
    }

    [Fact]
    public async Task A_context_with_adaptive_batching_reports_the_interval_it_chose_in_batches_and_the_metric()
    {
        var job = "adaptive-" + Guid.NewGuid().ToString("N");
        await using var harness = new StreamHarness(TimeSpan.FromSeconds(1), new StreamingOptions
        {
            JobName = job,
            AdaptiveInterval = new AdaptiveBatchInterval(100 * Ms, TimeSpan.FromSeconds(2)),
        });
        var batches = new List<BatchInfo>();
        harness.Queue(Enumerable.Range(0, 40).Select(i => new[] { i })).ForEachBatch((_, _) => { });
        harness.Context.AddListener(new Recorder(batches));
        await harness.StartAsync();

        // On the fake clock processing takes no time: nothing to amortise, so the interval steps down to the minimum.
        var completed = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (completed < 14)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Only {completed} of 14 batches completed in a minute of advancing the fake clock.");
            harness.Clock.Advance(100 * Ms);
            await Task.Delay(5);
            lock (batches)
            {
                completed = batches.Count;
            }
        }

        lock (batches)
        {
            Assert.Equal(TimeSpan.FromSeconds(1), batches[0].Interval);
            Assert.Equal(100 * Ms, batches[^1].Interval);
            Assert.All(batches, b => Assert.Equal(0, b.Time.Ticks % b.Interval.Ticks));
            Assert.Equal(batches.Select(b => b.Time).Order(), batches.Select(b => b.Time));
        }

        double? gauge = null;
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == StreamingDiagnostics.MeterName && instrument.Name == "streamlinq.batch.interval")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "job" && (string?)tag.Value == job)
                {
                    gauge = value;
                }
            }
        });
        meters.Start();
        meters.RecordObservableInstruments();
        Assert.Equal(0.1, gauge);
    }

    /// <summary>
    /// The generator's and the runner's part on virtual time: each batch is sealed at the
    /// schedule's next time, or later when two sealed batches already wait (the bounded queue),
    /// taking every record that arrived since the last seal; the runner takes batches in order
    /// and processes one in a + b·n.
    /// </summary>
    private sealed class ModelRun
    {
        private readonly BatchIntervalSchedule _schedule;
        private readonly AdaptiveIntervalController _controller;
        private readonly List<long> _starts = [];
        private BatchTime _next;
        private long _lastSeal;
        private long _lastEnd;

        public ModelRun(AdaptiveBatchInterval bounds, TimeSpan start, bool heldBack = false, TimeSpan? windowPeriod = null)
        {
            _schedule = new BatchIntervalSchedule(start);
            _controller = new AdaptiveIntervalController(bounds, _schedule, windowPeriod?.Ticks, () => heldBack, queued: 2);
            _next = new BatchTime(start.Ticks);
        }

        /// <summary>Runs <paramref name="count"/> batches; returns the interval each was cut under.</summary>
        public List<TimeSpan> Batches(int count, double fixedCost, double perRecord, double rate)
        {
            var intervals = new List<TimeSpan>();
            for (var i = 0; i < count; i++)
            {
                var time = _next;
                var interval = _schedule.Current;
                _next = _schedule.After(time);
                var seal = Math.Max(time.Ticks, _starts.Count >= 2 ? _starts[^2] : 0);
                var records = (long)(rate * TimeSpan.FromTicks(seal - _lastSeal).TotalSeconds);
                var start = Math.Max(seal, _lastEnd);
                var end = start + TimeSpan.FromSeconds(fixedCost + (perRecord * records)).Ticks;
                _controller.OnBatchCompleted(new BatchInfo(time, Math.Min(seal, time.Ticks), start, end, records) { Interval = interval });
                intervals.Add(interval);
                _starts.Add(start);
                (_lastSeal, _lastEnd) = (seal, end);
            }

            return intervals;
        }
    }

    private sealed class Recorder(List<BatchInfo> batches) : IStreamingListener
    {
        public void OnBatchCompleted(BatchInfo batch)
        {
            lock (batches)
            {
                batches.Add(batch);
            }
        }
    }
}
