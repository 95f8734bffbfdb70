using System.Collections.Concurrent;
using FsCheck;
using FsCheck.Xunit;

namespace StreamLinq.Tests.Windows;

/// <summary>
/// Windows under a batch interval that changes at run time: whatever sequence of changes (those
/// that fit the windows applied, the others refused), every window holds exactly the records
/// that arrived within its time span, as a brute force over the records' arrival times says.
/// </summary>
public class IntervalChangeWindowTests
{
    private const int Batches = 24;
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);
    private static readonly (TimeSpan Length, TimeSpan Slide) Tumbling = (1200 * Ms, 1200 * Ms);
    private static readonly (TimeSpan Length, TimeSpan Slide) Sliding = (1200 * Ms, 600 * Ms);
    private static readonly (TimeSpan Length, TimeSpan Slide) Keyed = (2400 * Ms, 600 * Ms);

    /// <summary>Divisors of every window's length and slide (150 ms leaves a short batch after a change from 200 or 100 ms), then intervals that misalign a window.</summary>
    private static readonly TimeSpan[] Choices = [100 * Ms, 150 * Ms, 200 * Ms, 300 * Ms, 600 * Ms, 250 * Ms, 400 * Ms, 500 * Ms, 700 * Ms];

    private readonly record struct Timed(long Arrival, int Key, long Value);

    [Property(MaxTest = 12)]
    public void Window_outputs_under_random_interval_changes_equal_the_brute_force_over_arrival_times(byte[] changes, int[] seeds)
    {
        RunAsync(changes ?? [], seeds ?? []).GetAwaiter().GetResult();
    }

    private static async Task RunAsync(byte[] changes, int[] seeds)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var context = new StreamingContext(200 * Ms, new StreamingOptions { TimeProvider = clock });
        var completed = new ConcurrentDictionary<BatchTime, TaskCompletionSource<BatchInfo>>();
        context.AddListener(new Completions(completed));
        var queue = new ConcurrentQueue<IEnumerable<Timed>>();
        var input = context.QueueStream(queue);
        var counts = Collect(input.Window(Tumbling.Length, Tumbling.Slide).Count());
        var windows = Collect(input.Window(Sliding.Length, Sliding.Slide));
        var sums = Collect(input.Select(r => new KeyValuePair<int, long>(r.Key, r.Value)).ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, Keyed.Length, Keyed.Slide));
        await context.StartAsync();

        var all = new List<Timed>();
        var times = new List<BatchTime>();
        var current = 200 * Ms;
        TimeSpan? pending = null;
        Task<BatchTime>? change = null;
        var next = new BatchTime((200 * Ms).Ticks);
        var previous = 0L;
        for (var k = 0; k < Batches; k++)
        {
            // The generator fixed the time after this batch before queueing it, under the change asked for before.
            var time = next;
            var cutUnder = current;
            current = pending ?? current;
            pending = null;
            next = new BatchTime((time.Ticks / current.Ticks + 1) * current.Ticks);

            var span = (time.Ticks - previous) / Ms.Ticks;
            var records = seeds.Where((_, i) => i % Batches == k)
                .Select((seed, i) => new Timed(previous + ((1 + ((uint)seed % span)) * Ms.Ticks), i % 4, 1 + ((uint)seed % 9)))
                .OrderBy(r => r.Arrival)
                .ToArray();
            all.AddRange(records);
            queue.Enqueue(records);
            var done = completed.GetOrAdd(time, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            clock.SetUtcNow(DateTimeOffset.UnixEpoch.AddTicks(time.Ticks));
            var info = await done.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Null(info.Failure);
            Assert.Equal(cutUnder, info.Interval);
            if (change is not null)
            {
                Assert.Equal(next, await change.WaitAsync(TimeSpan.FromSeconds(30)));
                change = null;
            }

            times.Add(time);
            previous = time.Ticks;
            if (k < changes.Length && changes[k] % (Choices.Length + 3) is var pick && pick < Choices.Length)
            {
                var interval = Choices[pick];
                if (Fits(interval))
                {
                    change = context.SetBatchIntervalAsync(interval);
                    pending = interval;
                }
                else
                {
                    var error = Assert.Throws<ArgumentException>(() => { _ = context.SetBatchIntervalAsync(interval); });
                    Assert.Contains(interval.ToString(), error.Message, StringComparison.Ordinal);
                    Assert.Contains("window", error.Message, StringComparison.Ordinal);
                }
            }
        }

        Assert.Equal(times.Order(), times);
        Assert.Equal(times.Count, times.Distinct().Count());
        foreach (var time in times)
        {
            Check(counts, time, Tumbling, window => [window.LongLength]);
            Check(windows, time, Sliding, window => window);
            Check(sums, time, Keyed, window => [.. window.GroupBy(r => r.Key).Select(g => new KeyValuePair<int, long>(g.Key, g.Sum(r => r.Value))).OrderBy(p => p.Key)], p => p.Key);
        }

        // Every slide time up to the last batch was a batch time, so no window output was skipped.
        foreach (var slide in new[] { Tumbling.Slide, Sliding.Slide, Keyed.Slide })
        {
            for (var t = slide.Ticks; t <= times[^1].Ticks; t += slide.Ticks)
            {
                Assert.Contains(new BatchTime(t), times);
            }
        }

        void Check<TOut>(ConcurrentDictionary<BatchTime, TOut[]> outputs, BatchTime time, (TimeSpan Length, TimeSpan Slide) window, Func<Timed[], TOut[]> expected, Func<TOut, int>? order = null)
        {
            if (time.Ticks % window.Slide.Ticks != 0)
            {
                Assert.False(outputs.ContainsKey(time), $"an output at {time}, which is no slide time");
                return;
            }

            var records = all.Where(r => r.Arrival > time.Ticks - window.Length.Ticks && r.Arrival <= time.Ticks).ToArray();
            var actual = outputs[time];
            Assert.Equal(expected(records), order is null ? actual : actual.OrderBy(order));
        }
    }

    private static bool Fits(TimeSpan interval) =>
        new[] { Tumbling, Sliding, Keyed }.All(w => w.Length.Ticks % interval.Ticks == 0 && w.Slide.Ticks % interval.Ticks == 0);

    private static ConcurrentDictionary<BatchTime, T[]> Collect<T>(IDStream<T> stream)
    {
        var results = new ConcurrentDictionary<BatchTime, T[]>();
        stream.ForEachBatch((batch, time) => results[time] = batch.ToArray());
        return results;
    }

    private sealed class Completions(ConcurrentDictionary<BatchTime, TaskCompletionSource<BatchInfo>> completed) : IStreamingListener
    {
        public void OnBatchCompleted(BatchInfo batch) =>
            completed.GetOrAdd(batch.Time, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(batch);
    }
}
