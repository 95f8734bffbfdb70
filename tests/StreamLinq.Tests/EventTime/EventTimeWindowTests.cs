using FsCheck;
using FsCheck.Xunit;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.EventTime;

public class EventTimeWindowTests
{
    private static readonly DateTimeOffset Epoch = DateTimeOffset.UnixEpoch;

    [Fact]
    public async Task A_tumbling_window_is_emitted_once_the_watermark_passes_its_end_and_later_records_go_to_late_data()
    {
        var batches = new[]
        {
            new[] { At(1, 1), At(2, 3) },
            new[] { At(3, 16) },
            new[] { At(4, 2) },
        };
        await using var harness = new StreamHarness();
        var windows = harness.Queue(batches)
            .WithEventTime(e => e.Time, TimeSpan.FromSeconds(5))
            .WindowByEventTime(e => 0, EventTimeWindows.Tumbling(TimeSpan.FromSeconds(10)));
        var results = StreamHarness.Collect(windows.Select(w => new { w.Start, w.End, Ids = w.Records.Select(r => r.Id).ToArray(), w.IsFinal }));
        var late = StreamHarness.Collect(windows.LateData());
        await harness.StartAsync();
        var first = await harness.RunBatchAsync();
        var second = await harness.RunBatchAsync();
        var third = await harness.RunBatchAsync();
        Assert.Empty(results[first.Time]);
        var closed = Assert.Single(results[second.Time]);
        Assert.Equal((Epoch, Epoch.AddSeconds(10), true), (closed.Start, closed.End, closed.IsFinal));
        Assert.Equal(new[] { 1, 2 }, closed.Ids);
        Assert.Empty(results[third.Time]);
        Assert.Equal(new[] { 4 }, late[third.Time].Select(e => e.Id));
        Assert.Empty(late[second.Time]);
        Assert.Contains("EventTimeWindow", windows.Explain());
    }

    [Fact]
    public async Task Allowed_lateness_keeps_a_window_open_and_updates_mode_emits_the_updated_result()
    {
        var batches = new[]
        {
            new[] { At(1, 1) },
            new[] { At(2, 16) },
            new[] { At(3, 2) },
            new[] { At(4, 40) },
            new[] { At(5, 3) },
        };
        await using var harness = new StreamHarness();
        var windows = harness.Queue(batches)
            .WithEventTime(e => e.Time, TimeSpan.FromSeconds(5))
            .WindowByEventTime(e => 0, EventTimeWindows.Tumbling(TimeSpan.FromSeconds(10)), TimeSpan.FromSeconds(5), WindowOutputMode.Updates);
        var results = StreamHarness.Collect(windows.Where(w => w.Start == Epoch).Select(w => new { Ids = w.Records.Select(r => r.Id).ToArray(), w.IsFinal }));
        var late = StreamHarness.Collect(windows.LateData());
        await harness.StartAsync();
        var times = new List<BatchTime>();
        for (var i = 0; i < 5; i++)
        {
            times.Add((await harness.RunBatchAsync()).Time);
        }

        Assert.Empty(results[times[0]]);
        Assert.Equal(new[] { 1 }, Assert.Single(results[times[1]]).Ids); // watermark 11s passed the end (10s)
        Assert.Equal(new[] { 1, 3 }, Assert.Single(results[times[2]]).Ids); // late but within 5s of lateness
        Assert.Empty(results[times[3]]); // closed at watermark 35s, unchanged
        Assert.Equal(new[] { 5 }, late[times[4]].Select(e => e.Id));
    }

    [Fact]
    public async Task Sessions_merge_records_less_than_a_gap_apart_across_batches_and_split_at_exactly_a_gap()
    {
        var batches = new[]
        {
            new[] { At(1, 10), At(2, 5) },
            new[] { At(3, 12), At(4, 0) },
            new[] { At(5, 30), At(6, 26), At(7, 20) },
            new[] { At(8, 16), At(9, 100) },
        };
        await using var harness = new StreamHarness();
        var windows = harness.Queue(batches)
            .WithEventTime(e => e.Time, TimeSpan.FromSeconds(20))
            .WindowByEventTime(e => e.Key, EventTimeWindows.Session(TimeSpan.FromSeconds(5)));
        var results = StreamHarness.Collect(windows.Select(w => Describe(w.Key, Seconds(w.Start), Seconds(w.End), w.Records)));
        await harness.StartAsync();
        var times = new List<BatchTime>();
        for (var i = 0; i < 4; i++)
        {
            times.Add((await harness.RunBatchAsync()).Time);
        }

        // 0, 5 and 10 are a gap apart: separate sessions. 16 (last batch) bridges [10,17) and [20,25).
        Assert.Empty(results[times[0]]);
        Assert.Empty(results[times[1]]);
        Assert.Equal(new[] { "0:[0,5) 4", "0:[5,10) 2" }, results[times[2]]);
        Assert.Equal(new[] { "0:[10,25) 1,3,7,8", "0:[26,35) 5,6" }, results[times[3]]);
    }

    [Property(MaxTest = 100)]
    public void Sliding_window_results_equal_grouping_the_admitted_records_and_every_other_record_is_late_exactly_once(
        int[] input, int[] splits, PositiveInt sizeSeconds, PositiveInt slideSeconds, NonNegativeInt outOfOrder, NonNegativeInt lateness, int seed)
    {
        var size = 2 + (sizeSeconds.Get % 12);
        var slide = 1 + (slideSeconds.Get % size);
        var (ooo, late) = (outOfOrder.Get % 8, lateness.Get % 8);
        var batches = Arrive(input, splits, seed);
        var run = Run(batches, e => e.Key, EventTimeWindows.Sliding(TimeSpan.FromSeconds(size), TimeSpan.FromSeconds(slide)), ooo, late, WindowOutputMode.FinalOnly);

        var before = WatermarksBefore(batches, ooo);
        var admitted = batches
            .SelectMany((batch, b) => batch.SelectMany(e => WindowStarts(e.Seconds, size, slide)
                .Where(start => before[b] is not { } wm || start + size + late > wm)
                .Select(start => (e, start))))
            .ToArray();
        var final = before[^1];
        var expected = admitted
            .Where(a => final is { } wm && a.start + size + late <= wm)
            .GroupBy(a => (a.e.Key, a.start))
            .Select(g => Describe(g.Key.Key, g.Key.start, g.Key.start + size, g.Select(a => a.e)))
            .Order();
        Assert.Equal(expected, run.Windows.Select(w => Describe(w.Key, Seconds(w.Start), Seconds(w.End), w.Records)).Order());
        Assert.All(run.Windows, w => Assert.True(w.IsFinal));
        var expectedLate = batches.SelectMany(b => b).Where(e => !admitted.Any(a => a.e.Id == e.Id)).Select(e => e.Id).Order();
        Assert.Equal(expectedLate, run.Late.Select(e => e.Id).Order());
    }

    [Fact]
    public async Task A_record_behind_the_watermark_joins_a_session_that_is_still_open_instead_of_going_to_late_data()
    {
        // Gap 10 s, no out-of-orderness, no lateness. After batch 1 the watermark is 100 s and key
        // 0's session [90,101) is open; 95 s is behind the watermark but extends that session.
        var batches = new[]
        {
            new[] { At(1, 90, key: 0), At(2, 91, key: 0), At(3, 100, key: 1) },
            new[] { At(4, 95, key: 0) },
            new[] { At(5, 200, key: 1) },
        };
        var (windows, late) = await RunSessionsAsync(batches, gapSeconds: 10, latenessSeconds: 0);

        Assert.Empty(late);
        Assert.Equal(new[] { "0:[90,105) 1,2,4", "1:[100,110) 3" }, windows.Order());
    }

    [Fact]
    public async Task A_record_behind_the_watermark_that_bridges_two_open_sessions_merges_them_into_one()
    {
        // Gap 10 s, lateness 15 s: after batch 1 the watermark is 100 s and key 0 holds [80,90)
        // and [93,103), both open. 85 s is further behind the watermark than the lateness, yet
        // it joins both: one session [80,103).
        var batches = new[]
        {
            new[] { At(1, 80, key: 0), At(2, 93, key: 0), At(3, 100, key: 1) },
            new[] { At(4, 85, key: 0) },
            new[] { At(5, 300, key: 1) },
        };
        var (windows, late) = await RunSessionsAsync(batches, gapSeconds: 10, latenessSeconds: 15);

        Assert.Empty(late);
        Assert.Equal(new[] { "0:[80,103) 1,2,4", "1:[100,110) 3" }, windows.Order());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Records_of_one_batch_that_reach_an_open_session_only_through_each_other_are_all_admitted_in_any_order(bool reversed)
    {
        // After batch 1 the watermark is 100 s and key 0's session [95,105) is open. 80 s alone
        // ([80,90)) and 88 s alone ([88,98)) are closed, but 88 s touches the open session and 80 s
        // touches 88 s: both join it. 50 s touches nothing open and is late.
        Event[] second = [At(4, 80, key: 0), At(5, 88, key: 0), At(6, 50, key: 0)];
        var batches = new[]
        {
            new[] { At(1, 95, key: 0), At(2, 100, key: 1) },
            reversed ? second.Reverse().ToArray() : second,
            new[] { At(7, 300, key: 1) },
        };
        var (windows, late) = await RunSessionsAsync(batches, gapSeconds: 10, latenessSeconds: 0);

        Assert.Equal(new[] { 6 }, late.Select(e => e.Id));
        Assert.Equal(new[] { "0:[80,105) 1,4,5", "1:[100,110) 2" }, windows.Order());
    }

    [Fact]
    public async Task A_lateness_of_the_largest_time_span_keeps_windows_open_instead_of_wrapping_around()
    {
        var batches = new[]
        {
            new[] { At(1, 10) },
            new[] { At(2, 5_000) },
            new[] { At(3, 11) },
        };
        await using var harness = new StreamHarness();
        var windows = harness.Queue(batches)
            .WithEventTime(e => e.Time, TimeSpan.Zero)
            .WindowByEventTime(e => e.Key, EventTimeWindows.Tumbling(TimeSpan.FromSeconds(10)), TimeSpan.MaxValue, WindowOutputMode.Updates);
        var late = StreamHarness.Collect(windows.LateData());
        var results = StreamHarness.Collect(windows.Select(w => Describe(w.Key, Seconds(w.Start), Seconds(w.End), w.Records)));
        await harness.StartAsync();
        var times = new List<BatchTime>();
        for (var i = 0; i < batches.Length; i++)
        {
            times.Add((await harness.RunBatchAsync()).Time);
        }

        Assert.All(times, t => Assert.Empty(late[t]));
        Assert.Equal(new[] { "0:[10,20) 1,3" }, results[times[2]]);
    }

    [Property(MaxTest = 150)]
    public void Session_window_results_equal_a_brute_force_sessionizer_and_every_other_record_is_late_exactly_once(
        int[] input, int[] splits, PositiveInt gapSeconds, NonNegativeInt outOfOrder, NonNegativeInt lateness, int seed)
    {
        var gap = 1 + (gapSeconds.Get % 15);
        var (ooo, late) = (outOfOrder.Get % 8, lateness.Get % 8);
        var batches = Arrive(input, splits, seed);
        var run = Run(batches, e => e.Key, EventTimeWindows.Session(TimeSpan.FromSeconds(gap)), ooo, late, WindowOutputMode.FinalOnly);
        var (expected, expectedLate) = SessionOracle(batches, gap, ooo, late);

        Assert.Equal(expected.Order(), run.Windows.Select(w => Describe(w.Key, Seconds(w.Start), Seconds(w.End), w.Records)).Order());
        Assert.All(run.Windows, w => Assert.True(w.IsFinal));
        Assert.Equal(expectedLate.Order(), run.Late.Select(e => e.Id).Order());

        // The order of records within a batch does not matter: the watermark moves between batches.
        var reversed = Run(batches.Select(b => b.Reverse().ToArray()).ToArray(), e => e.Key, EventTimeWindows.Session(TimeSpan.FromSeconds(gap)), ooo, late, WindowOutputMode.FinalOnly);
        Assert.Equal(expected.Order(), reversed.Windows.Select(w => Describe(w.Key, Seconds(w.Start), Seconds(w.End), w.Records)).Order());
        Assert.Equal(expectedLate.Order(), reversed.Late.Select(e => e.Id).Order());
    }

    [Property(MaxTest = 50)]
    public void Session_updates_mode_emits_every_final_session_and_refuses_the_same_records_as_final_only_mode(
        int[] input, int[] splits, PositiveInt gapSeconds, NonNegativeInt outOfOrder, NonNegativeInt lateness, int seed)
    {
        var gap = 1 + (gapSeconds.Get % 15);
        var (ooo, late) = (outOfOrder.Get % 8, lateness.Get % 8);
        var batches = Arrive(input, splits, seed);
        var windows = EventTimeWindows.Session(TimeSpan.FromSeconds(gap));
        var final = Run(batches, e => e.Key, windows, ooo, late, WindowOutputMode.FinalOnly);
        var updates = Run(batches, e => e.Key, windows, ooo, late, WindowOutputMode.Updates);

        // A session closes without another emission only when it did not change since its last one.
        var emitted = updates.Windows.Select(w => Describe(w.Key, Seconds(w.Start), Seconds(w.End), w.Records)).ToHashSet();
        Assert.All(final.Windows, w => Assert.Contains(Describe(w.Key, Seconds(w.Start), Seconds(w.End), w.Records), emitted));
        Assert.Equal(final.Late.Select(e => e.Id).Order(), updates.Late.Select(e => e.Id).Order());
    }

    [Property(MaxTest = 20)]
    public void Updates_mode_ends_each_window_with_the_final_modes_result_and_only_emits_changed_windows(
        int[] input, int[] splits, PositiveInt sizeSeconds, NonNegativeInt outOfOrder, NonNegativeInt lateness, int seed)
    {
        var size = 2 + (sizeSeconds.Get % 12);
        var (ooo, late) = (outOfOrder.Get % 8, lateness.Get % 8);
        var batches = Arrive(input, splits, seed);
        var windows = EventTimeWindows.Tumbling(TimeSpan.FromSeconds(size));
        var final = Run(batches, e => e.Key, windows, ooo, late, WindowOutputMode.FinalOnly);
        var updates = Run(batches, e => e.Key, windows, ooo, late, WindowOutputMode.Updates);
        var lastEmissions = updates.Windows
            .GroupBy(w => (w.Key, w.Start))
            .Where(g => final.Windows.Any(f => f.Key == g.Key.Key && f.Start == g.Key.Start))
            .Select(g => Describe(g.Key.Key, Seconds(g.Key.Start), Seconds(g.Last().End), g.Last().Records))
            .Order();
        Assert.Equal(final.Windows.Select(w => Describe(w.Key, Seconds(w.Start), Seconds(w.End), w.Records)).Order(), lastEmissions);
        foreach (var window in updates.Windows.GroupBy(w => (w.Key, w.Start)))
        {
            var counts = window.Select(w => w.Records.Count).ToArray();
            Assert.Equal(counts.Distinct().Count(), counts.Length); // a window is re-emitted only when it changed
            Assert.True(counts.Zip(counts.Skip(1)).All(p => p.First < p.Second));
        }

        Assert.Equal(final.Late.Select(e => e.Id).Order(), updates.Late.Select(e => e.Id).Order());
    }

    private static (List<EventTimeWindow<int, Event>> Windows, List<Event> Late) Run(
        Event[][] batches,
        System.Linq.Expressions.Expression<Func<Event, int>> key,
        EventTimeWindows windows,
        int outOfOrder,
        int lateness,
        WindowOutputMode mode) =>
        RunAsync(batches, key, windows, outOfOrder, lateness, mode).GetAwaiter().GetResult();

    private static async Task<(List<EventTimeWindow<int, Event>>, List<Event>)> RunAsync(
        Event[][] batches,
        System.Linq.Expressions.Expression<Func<Event, int>> key,
        EventTimeWindows windows,
        int outOfOrder,
        int lateness,
        WindowOutputMode mode)
    {
        await using var harness = new StreamHarness();
        var stream = harness.Queue(batches)
            .WithEventTime(e => e.Time, TimeSpan.FromSeconds(outOfOrder))
            .WindowByEventTime(key, windows, TimeSpan.FromSeconds(lateness), mode);
        var results = StreamHarness.Collect(stream);
        var late = StreamHarness.Collect(stream.LateData());
        await harness.StartAsync();
        var times = new List<BatchTime>();
        for (var i = 0; i < batches.Length; i++)
        {
            var info = await harness.RunBatchAsync();
            Assert.Null(info.Failure);
            times.Add(info.Time);
        }

        return (times.SelectMany(t => results[t]).ToList(), times.SelectMany(t => late[t]).ToList());
    }

    /// <summary>The events in a random arrival order, cut into random batches.</summary>
    private static Event[][] Arrive(int[] input, int[] splits, int seed)
    {
        var events = (input ?? []).Take(40).Select((x, i) => new Event(i, Math.Abs(x % 3), Math.Abs(x * 37 % 60))).ToArray();
        new Random(seed).Shuffle(events);
        var sizes = (splits ?? []).Select(s => Math.Abs(s % 6)).Append(events.Length).ToArray();
        var batches = new List<Event[]>();
        var offset = 0;
        foreach (var size in sizes)
        {
            var take = Math.Min(size, events.Length - offset);
            batches.Add(events[offset..(offset + take)]);
            offset += take;
            if (offset == events.Length)
            {
                break;
            }
        }

        // A last event far ahead moves the watermark past every other window, so that they all close.
        batches.Add([new Event(-1, 9, 1000)]);
        return batches.ToArray();
    }

    /// <summary>The watermark before each batch, in seconds, and (last) after every batch; null before any event.</summary>
    private static int?[] WatermarksBefore(Event[][] batches, int outOfOrder) =>
        Enumerable.Range(0, batches.Length + 1)
            .Select(b => batches.Take(b).SelectMany(x => x).Select(e => (int?)e.Seconds).Max() - outOfOrder)
            .ToArray();

    private static IEnumerable<int> WindowStarts(int seconds, int size, int slide)
    {
        for (var start = seconds - (seconds % slide); start > seconds - size; start -= slide)
        {
            yield return start;
        }
    }

    /// <summary>
    /// Event-time sessions by brute force, batch by batch: the records of a key held open and the
    /// key's records of the batch are sessionized from scratch; a batch record is late when its
    /// session ends (plus the lateness) at or before the watermark of the batch's start. After each
    /// batch the sessions the new watermark closed are emitted and forgotten.
    /// </summary>
    private static (List<string> Windows, List<int> Late) SessionOracle(Event[][] batches, int gap, int outOfOrder, int lateness)
    {
        var held = new Dictionary<int, List<Event>>();
        var windows = new List<string>();
        var late = new List<int>();
        var watermarks = WatermarksBefore(batches, outOfOrder);
        for (var b = 0; b < batches.Length; b++)
        {
            foreach (var arrived in batches[b].GroupBy(e => e.Key))
            {
                var open = held.GetValueOrDefault(arrived.Key) ?? [];
                foreach (var session in Sessionize(open.Concat(arrived), gap))
                {
                    var closed = watermarks[b] is { } wm && session[^1].Seconds + gap + lateness <= wm;
                    foreach (var e in session.Where(e => arrived.Contains(e)))
                    {
                        if (closed)
                        {
                            late.Add(e.Id);
                        }
                        else
                        {
                            open.Add(e);
                        }
                    }
                }

                held[arrived.Key] = open;
            }

            if (watermarks[b + 1] is not { } after)
            {
                continue;
            }

            foreach (var (key, open) in held)
            {
                foreach (var session in Sessionize(open, gap).Where(s => s[^1].Seconds + gap + lateness <= after))
                {
                    windows.Add(Describe(key, session[0].Seconds, session[^1].Seconds + gap, session));
                    open.RemoveAll(session.Contains);
                }
            }
        }

        return (windows, late);
    }

    /// <summary>Records sorted by time, cut wherever two neighbours are a gap or more apart.</summary>
    private static List<List<Event>> Sessionize(IEnumerable<Event> records, int gap)
    {
        var sessions = new List<List<Event>>();
        foreach (var e in records.OrderBy(e => e.Seconds))
        {
            if (sessions.Count == 0 || e.Seconds - sessions[^1][^1].Seconds >= gap)
            {
                sessions.Add([]);
            }

            sessions[^1].Add(e);
        }

        return sessions;
    }

    private static async Task<(List<string> Windows, List<Event> Late)> RunSessionsAsync(Event[][] batches, int gapSeconds, int latenessSeconds)
    {
        var (windows, late) = await RunAsync(batches, e => e.Key, EventTimeWindows.Session(TimeSpan.FromSeconds(gapSeconds)), 0, latenessSeconds, WindowOutputMode.FinalOnly);
        return (windows.Select(w => Describe(w.Key, Seconds(w.Start), Seconds(w.End), w.Records)).ToList(), late);
    }

    private static string Describe(int key, long start, long end, IEnumerable<Event> records) =>
        $"{key}:[{start},{end}) {string.Join(",", records.Select(r => r.Id).Order())}";

    private static long Seconds(DateTimeOffset time) => (time - Epoch).Ticks / TimeSpan.TicksPerSecond;

    private static Event At(int id, int seconds, int key = 0) => new(id, key, seconds);

    public sealed record Event(int Id, int Key, int Seconds)
    {
        public DateTimeOffset Time => Epoch.AddSeconds(Seconds);
    }
}
