using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace StreamLinq.Tests.Monitoring;

/// <summary>
/// A context with no listener of its own builds no <see cref="BatchInfo"/>: its telemetry still
/// counts, times and sizes every batch from the figures themselves, as it does from the events
/// when a listener is there.
/// </summary>
public sealed class TelemetryWithoutListenersTests
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Without_a_listener_every_batch_is_still_counted_timed_and_sized_in_the_metrics()
    {
        var job = "no-listeners-" + Guid.NewGuid().ToString("N");
        var completed = 0L;
        var records = 0L;
        var delays = 0L;
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == StreamingDiagnostics.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (!OfJob(tags, job))
            {
                return;
            }

            if (instrument.Name == "streamlinq.batches.completed")
            {
                Interlocked.Add(ref completed, value);
            }
            else if (instrument.Name == "streamlinq.records.processed")
            {
                Interlocked.Add(ref records, value);
            }
        });
        meters.SetMeasurementEventCallback<double>((instrument, _, tags, _) =>
        {
            if (instrument.Name == "streamlinq.batch.processing_delay" && OfJob(tags, job))
            {
                Interlocked.Increment(ref delays);
            }
        });
        meters.Start();

        // Three batches of 2, 0 and 5 records: the empty one counts as a batch too.
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var queue = new ConcurrentQueue<IEnumerable<int>>([[1, 2], [], [3, 4, 5, 6, 7]]);
        var seen = new ConcurrentQueue<int>();
        await using var context = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = clock, JobName = job });
        context.QueueStream(queue).ForEachBatch((batch, _) => seen.Enqueue(batch.Count));
        await context.StartAsync();
        for (var i = 0; i < 3; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        await WaitUntilAsync(() => Interlocked.Read(ref completed) >= 3).WaitAsync(Hang);
        await context.StopAsync();

        Assert.Equal([2, 0, 5], seen.Take(3));
        Assert.True(Interlocked.Read(ref completed) >= 3);
        Assert.Equal(7, Interlocked.Read(ref records));
        Assert.Equal(Interlocked.Read(ref completed), Interlocked.Read(ref delays));
    }

    private static bool OfJob(ReadOnlySpan<KeyValuePair<string, object?>> tags, string job)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "job" && Equals(tag.Value, job))
            {
                return true;
            }
        }

        return false;
    }

    private static async Task WaitUntilAsync(Func<bool> done)
    {
        while (!done())
        {
            await Task.Delay(10);
        }
    }
}
