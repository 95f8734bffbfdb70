using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace StreamLinq.Latency;

/// <summary>What one run measured.</summary>
internal sealed record RunResult(double AcceptedPerSecond, LatencyHistogram Latency, int BlockedEvents, int RateLimitEvents, double BlockedMilliseconds, long Dropped, long Batches);

/// <summary>
/// One run through the public API: a context on the system clock, an observable source fed by
/// the stamped producer, the query (a filter and a GroupBy over 1,000 keys with count
/// and sum, into ForEachBatch), and a second output that records every kept record's latency
/// (from the moment it was due to the end of its batch's outputs).
/// </summary>
internal static class LatencyRun
{
    public static async Task<RunResult> RunAsync(TimeSpan interval, double? rate, TimeSpan length, bool backPressure, ReceiverOptions? receiver = null)
    {
        var captured = new Producer.Captured();
        var watcher = new Watcher();
        var histogram = new LatencyHistogram();
        long groups = 0;
        long batches = 0;
        var measureFrom = 0L;
        await using var context = new StreamingContext(interval, new StreamingOptions { BackPressure = backPressure });
        context.AddListener(watcher);
        var kept = context.FromObservable(captured, receiver).Where(r => r.Key % 10 != 0);
        kept.GroupBy(r => r.Key).Select(g => new { g.Key, N = g.Count(), S = g.Sum(r => r.Value) }).ForEachBatch((result, _) => groups += result.Count);
        kept.ForEachBatch((records, _) =>
        {
            var now = Stopwatch.GetTimestamp();
            batches++;
            if (now < Volatile.Read(ref measureFrom))
            {
                return;
            }

            // Records of one producer block share a stamp: one histogram entry per run of them.
            var i = 0;
            while (i < records.Count)
            {
                var stamp = records[i].Stamp;
                var j = i + 1;
                while (j < records.Count && records[j].Stamp == stamp)
                {
                    j++;
                }

                histogram.Add(now - stamp, j - i);
                i = j;
            }
        });

        using var meters = new BlockedTime();
        await context.StartAsync();
        var observer = await captured.Subscriber;
        using var stop = new CancellationTokenSource();
        var warmUp = TimeSpan.FromMilliseconds(Math.Clamp(3 * interval.TotalMilliseconds, 500, 3000));
        Volatile.Write(ref measureFrom, Stopwatch.GetTimestamp() + (long)(warmUp.TotalSeconds * Stopwatch.Frequency));
        var started = Stopwatch.GetTimestamp();
        var producer = Task.Factory.StartNew(() => Producer.Run(observer, rate, stop.Token), TaskCreationOptions.LongRunning);
        await Task.Delay(warmUp + length);
        await stop.CancelAsync();
        var produced = await producer;
        var elapsed = Stopwatch.GetElapsedTime(started);
        await context.StopAsync(graceful: true);
        GC.KeepAlive(groups);
        return new RunResult(produced / elapsed.TotalSeconds, histogram, watcher.BufferFull, watcher.RateLimit, meters.Milliseconds, watcher.Dropped, batches);
    }

    /// <summary>The producer alone into an observer that does nothing.</summary>
    public static double ProducerAlone(TimeSpan length)
    {
        using var stop = new CancellationTokenSource(length);
        var started = Stopwatch.GetTimestamp();
        var produced = Producer.Run(new Producer.NoOp(), null, stop.Token);
        return produced / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private sealed class Watcher : IStreamingListener
    {
        public int BufferFull;
        public int RateLimit;
        public long Dropped;

        public void OnReceiverBlocked(ReceiverBlocked blocked)
        {
            if (blocked.Reason == ReceiverBlockReason.BufferFull)
            {
                Interlocked.Increment(ref BufferFull);
            }
            else
            {
                Interlocked.Increment(ref RateLimit);
            }
        }

        public void OnRecordsDropped(RecordsDropped dropped) => Interlocked.Add(ref Dropped, dropped.Records ?? 0);
    }

    /// <summary>The producer's time held back, from the engine's own metric.</summary>
    private sealed class BlockedTime : IDisposable
    {
        private readonly MeterListener _listener = new();
        private double _milliseconds;

        public BlockedTime()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "StreamLinq" && instrument.Name == "streamlinq.receiver.blocked_time")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((_, value, _, _) => _milliseconds += value);
            _listener.Start();
        }

        public double Milliseconds => _milliseconds;

        public void Dispose() => _listener.Dispose();
    }
}
