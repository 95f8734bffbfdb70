using System.Collections.Concurrent;
using System.Diagnostics;

namespace StreamLinq.AdaptiveInterval;

/// <summary>
/// One configuration under the load profile: a context whose one input is fed by a producer
/// thread (each record is its creation timestamp) and whose one output sleeps the modelled
/// processing time, then records each record's end-to-end latency.
/// </summary>
internal sealed class ProfileRun(string name, TimeSpan interval, AdaptiveBatchInterval? adaptive, LoadProfile profile, ProcessingModel model)
{
    private readonly ConcurrentQueue<(byte[] Phases, float[] Milliseconds)> _latencies = new();
    private long _start;

    public string Name { get; } = name;

    /// <summary>The interval of every batch cut during the measure, with the phase it was cut in.</summary>
    public ConcurrentQueue<(int Phase, TimeSpan Interval)> Intervals { get; } = new();

    public async Task RunAsync()
    {
        var feed = new Feed();
        await using var context = new StreamingContext(interval, new StreamingOptions { AdaptiveInterval = adaptive, JobName = Name });
        context.AddListener(new IntervalLog(this));
        context.FromObservable(feed).ForEachBatch(async (batch, _, cancellationToken) =>
        {
            await Task.Delay(model.For(batch.Count), cancellationToken);
            var now = Stopwatch.GetTimestamp();
            var latencies = new float[batch.Count];
            var phases = new byte[batch.Count];
            for (var i = 0; i < batch.Count; i++)
            {
                latencies[i] = (float)Stopwatch.GetElapsedTime(batch[i], now).TotalMilliseconds;
                phases[i] = (byte)profile.PhaseAt(Stopwatch.GetElapsedTime(_start, batch[i]).TotalSeconds);
            }

            _latencies.Enqueue((phases, latencies));
        });
        await context.StartAsync();
        _start = Stopwatch.GetTimestamp();
        await Task.Run(() => Produce(feed));
        await context.StopAsync(graceful: true);
    }

    /// <summary>The latencies, sorted, of the records made in one phase, or (null) in every phase but the warm-up.</summary>
    public float[] Latencies(int? phase) =>
        [.. _latencies.SelectMany(l => l.Milliseconds.Where((_, i) => phase is null ? l.Phases[i] > 0 : l.Phases[i] == phase)).Order()];

    private void Produce(Feed feed)
    {
        long emitted = 0;
        while (true)
        {
            var elapsed = Stopwatch.GetElapsedTime(_start).TotalSeconds;
            if (elapsed >= profile.Seconds)
            {
                return;
            }

            for (var due = profile.DueAt(elapsed); emitted < due; emitted++)
            {
                feed.Push(Stopwatch.GetTimestamp());
            }

            Thread.Sleep(1);
        }
    }

    private sealed class IntervalLog(ProfileRun run) : IStreamingListener
    {
        public void OnBatchCompleted(BatchInfo batch)
        {
            if (run._start != 0)
            {
                run.Intervals.Enqueue((run.PhaseNow(), batch.Interval));
            }
        }
    }

    private int PhaseNow() => profile.PhaseAt(Stopwatch.GetElapsedTime(_start).TotalSeconds);

    /// <summary>A push source with one subscriber, the context's receiver.</summary>
    private sealed class Feed : IObservable<long>
    {
        private volatile IObserver<long>? _observer;

        public void Push(long value) => _observer?.OnNext(value);

        public IDisposable Subscribe(IObserver<long> observer)
        {
            _observer = observer;
            return new Unsubscriber(this);
        }

        private sealed class Unsubscriber(Feed feed) : IDisposable
        {
            public void Dispose() => feed._observer = null;
        }
    }
}
