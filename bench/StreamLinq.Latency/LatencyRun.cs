using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;

namespace StreamLinq.Latency;

/// <summary>What one run measured.</summary>
internal sealed record RunResult(double AcceptedPerSecond, LatencyHistogram Latency, int BlockedEvents, int RateLimitEvents, double BlockedMilliseconds, long Dropped, long Batches, string Breakdown);

/// <summary>
/// One run through the public API: a context on the system clock, an observable source fed by
/// the stamped producer, the query (a filter and a GroupBy over 1,000 keys with count
/// and sum, into ForEachBatch), and a second output that records every kept record's latency
/// (from the moment it was due to the end of its batch's outputs).
/// </summary>
internal static class LatencyRun
{
    public static async Task<RunResult> RunAsync(TimeSpan interval, double? rate, TimeSpan length, bool backPressure, ReceiverOptions? receiver = null, bool stampWhenSent = false, bool eager = true, TimeSpan? eagerFrom = null)
    {
        var captured = new Producer.Captured();
        var watcher = new Watcher();
        var histogram = new LatencyHistogram();
        long groups = 0;
        long batches = 0;
        var measureFrom = 0L;
        await using var context = new StreamingContext(interval, new StreamingOptions { BackPressure = backPressure, EagerWorkMinInterval = !eager ? TimeSpan.MaxValue : eagerFrom ?? new StreamingOptions().EagerWorkMinInterval });
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

            // One method per list type (an array, or a list over segments when eager work made the
            // batch): a single walk through the interface would be compiled once with the profile
            // of whichever type the process's first runs saw, and slow down the other.
            if (records is Stamped[] array)
            {
                AddArray(histogram, array, now);
            }
            else
            {
                AddList(histogram, records, now);
            }
        });

        using var meters = new BlockedTime();
        await context.StartAsync();
        var observer = await captured.Subscriber;
        using var stop = new CancellationTokenSource();
        var warmUp = TimeSpan.FromMilliseconds(Math.Clamp(3 * interval.TotalMilliseconds, 500, 3000));
        Volatile.Write(ref measureFrom, Stopwatch.GetTimestamp() + (long)(warmUp.TotalSeconds * Stopwatch.Frequency));
        var started = Stopwatch.GetTimestamp();
        var pauses = GC.GetTotalPauseDuration();
        var collections = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var cpu = Environment.CpuUsage.TotalTime;
        var threads = ThreadTimes.Take();
        var completedBefore = watcher.Completed;
        var producer = Task.Factory.StartNew(() => Producer.Run(observer, rate, stop.Token, stampWhenSent), TaskCreationOptions.LongRunning);
        await Task.Delay(warmUp + length);
        var threadsAfter = ThreadTimes.Take();
        await stop.CancelAsync();
        var produced = await producer;
        var elapsed = Stopwatch.GetElapsedTime(started);
        var measured = watcher.Completed - completedBefore;
        var breakdown = "CPU ns per record by thread: " + ThreadTimes.PerRecord(threads, threadsAfter, produced) + "\n" + string.Create(CultureInfo.InvariantCulture,
            $"{watcher.Breakdown()}; process CPU {(Environment.CpuUsage.TotalTime - cpu).TotalSeconds / elapsed.TotalSeconds:N2} cores; GC pauses {(GC.GetTotalPauseDuration() - pauses).TotalMilliseconds / Math.Max(1, measured):N1} ms per batch, collections gen0/1/2 {GC.CollectionCount(0) - collections.Item1}/{GC.CollectionCount(1) - collections.Item2}/{GC.CollectionCount(2) - collections.Item3}");
        await context.StopAsync(graceful: true);
        GC.KeepAlive(groups);
        return new RunResult(produced / elapsed.TotalSeconds, histogram, watcher.BufferFull, watcher.RateLimit, meters.Milliseconds, watcher.Dropped, batches, breakdown);
    }

    // Records of one producer block share a stamp: one histogram entry per run of them.
    private static void AddArray(LatencyHistogram histogram, Stamped[] records, long now)
    {
        var i = 0;
        while (i < records.Length)
        {
            var stamp = records[i].Stamp;
            var j = i + 1;
            while (j < records.Length && records[j].Stamp == stamp)
            {
                j++;
            }

            histogram.Add(now - stamp, j - i);
            i = j;
        }
    }

    private static void AddList(LatencyHistogram histogram, IReadOnlyList<Stamped> records, long now)
    {
        var count = records.Count;
        var i = 0;
        while (i < count)
        {
            var stamp = records[i].Stamp;
            var j = i + 1;
            while (j < count && records[j].Stamp == stamp)
            {
                j++;
            }

            histogram.Add(now - stamp, j - i);
            i = j;
        }
    }

    /// <summary>The producer alone into an observer that does nothing, on a thread of its own as in a run; records per second and the CPU it took per record.</summary>
    public static async Task<(double PerSecond, string Breakdown)> ProducerAloneAsync(TimeSpan length)
    {
        using var stop = new CancellationTokenSource(length);
        var threads = ThreadTimes.Take();
        var started = Stopwatch.GetTimestamp();
        var produced = await Task.Factory.StartNew(() => Producer.Run(new Producer.NoOp(), null, stop.Token), TaskCreationOptions.LongRunning);
        return (produced / Stopwatch.GetElapsedTime(started).TotalSeconds, "CPU ns per record by thread: " + ThreadTimes.PerRecord(threads, ThreadTimes.Take(), produced));
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

        // Where a batch's time goes, averaged over its batches: the seal after the boundary, the
        // wait in the queue, then processing (reading the input, the plan and each output).
        public int Completed;
        private int _submitted;
        private double _sealLate;
        private double _queued;
        private double _processing;
        private readonly Dictionary<string, double> _outputs = [];

        public void OnBatchSubmitted(BatchInfo batch)
        {
            _submitted++;
            _sealLate += (DateTimeOffset.UtcNow - batch.Time.ToDateTimeOffset()).TotalMilliseconds;
        }

        public void OnBatchCompleted(BatchInfo batch)
        {
            Completed++;
            _queued += batch.SchedulingDelay?.TotalMilliseconds ?? 0;
            _processing += batch.ProcessingDelay?.TotalMilliseconds ?? 0;
            for (var i = 0; i < (batch.Outputs?.Count ?? 0); i++)
            {
                var name = $"output {i + 1} ({batch.Outputs![i].Output})";
                _outputs[name] = _outputs.GetValueOrDefault(name) + batch.Outputs[i].Duration.TotalMilliseconds;
            }
        }

        public string Breakdown()
        {
            var n = Math.Max(1, Completed);
            return string.Create(CultureInfo.InvariantCulture, $"per batch (ms): seal after boundary {_sealLate / Math.Max(1, _submitted):N1}, queued {_queued / n:N1}, processing {_processing / n:N1} [")
                + string.Join(", ", _outputs.Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.Key} {o.Value / n:N1}"))) + "]";
        }
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

            // The metric is in seconds.
            _listener.SetMeasurementEventCallback<double>((_, value, _, _) => _milliseconds += value * 1000);
            _listener.Start();
        }

        public double Milliseconds => _milliseconds;

        public void Dispose() => _listener.Dispose();
    }
}
