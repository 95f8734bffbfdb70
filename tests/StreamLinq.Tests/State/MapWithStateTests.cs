using FsCheck;
using FsCheck.Xunit;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.State;

public class MapWithStateTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Property(MaxTest = 25)]
    public void Mapped_records_are_running_sums_and_snapshots_are_totals_so_far(int[][] input)
    {
        var batches = BatchRun.Clean(input).Select(b => b.Select(x => new KeyValuePair<int, int>(Math.Abs(x % 4), x)).ToArray()).ToArray();
        var spec = StateSpec.Function((int key, int value, KeyedState<long> state) =>
        {
            var sum = state.GetOrDefault(0) + value;
            state.Update(sum);
            return (key, sum);
        });
        var mapped = new Dictionary<long, (int, long)[]>();
        var snapshots = new Dictionary<long, KeyValuePair<int, long>[]>();
        RunBoth(batches, batches.Length, spec, mapped, snapshots).GetAwaiter().GetResult();
        for (var t = 1; t <= batches.Length; t++)
        {
            var before = batches.Take(t - 1).SelectMany(b => b).ToArray();
            var sums = before.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Sum(p => (long)p.Value));
            var expected = new List<(int, long)>();
            foreach (var (key, value) in batches[t - 1])
            {
                sums[key] = sums.GetValueOrDefault(key) + value;
                expected.Add((key, sums[key]));
            }

            Assert.Equal(expected, mapped[t]);
            Assert.Equal(sums.OrderBy(p => p.Key), snapshots[t].OrderBy(p => p.Key));
        }
    }

    [Fact]
    public async Task An_idle_key_gets_one_last_call_marked_as_timing_out_then_is_removed()
    {
        var batches = new[] { new[] { Pair("a", 1), Pair("b", 1) }, new[] { Pair("b", 1) }, new[] { Pair("b", 1) }, new[] { Pair("b", 1) }, new[] { Pair("b", 1) } };
        var spec = StateSpec.Function((string key, int value, KeyedState<int> state) =>
        {
            if (state.IsTimingOut)
            {
                return $"{key} timed out at {state.Get()}";
            }

            state.Update(state.GetOrDefault(0) + value);
            return $"{key}={state.Get()}";
        }).WithTimeout(TimeSpan.FromSeconds(2));
        var mapped = new Dictionary<long, string[]>();
        var snapshots = new Dictionary<long, KeyValuePair<string, int>[]>();
        await RunBoth(batches, 5, spec, mapped, snapshots);
        Assert.Equal(new[] { "a=1", "b=1" }, mapped[1]);
        Assert.Equal(new[] { "b=3" }, mapped[3]);
        Assert.Equal(new[] { "b=4", "a timed out at 1" }, mapped[4]);
        Assert.Equal(new[] { "b=5" }, mapped[5]);
        Assert.Equal(new[] { ("a", 1), ("b", 3) }, snapshots[3].Select(p => (p.Key, p.Value)).Order());
        Assert.Equal(new[] { ("b", 4) }, snapshots[4].Select(p => (p.Key, p.Value)));
    }

    [Fact]
    public async Task Initial_state_is_seen_by_the_first_call_and_remove_drops_the_key()
    {
        var batches = new[] { new[] { Pair("a", 1) }, new[] { Pair("a", -1) }, new[] { Pair("a", 5) } };
        var spec = StateSpec.Function((string key, int value, KeyedState<int> state) =>
        {
            if (value < 0)
            {
                state.Remove();
                return -1;
            }

            state.Update(state.GetOrDefault(0) + value);
            return state.Get();
        }).WithInitialState([Pair("a", 10), Pair("z", 7)]);
        var mapped = new Dictionary<long, int[]>();
        var snapshots = new Dictionary<long, KeyValuePair<string, int>[]>();
        await RunBoth(batches, 3, spec, mapped, snapshots);
        Assert.Equal(new[] { 11 }, mapped[1]);
        Assert.Equal(new[] { -1 }, mapped[2]);
        Assert.Equal(new[] { 5 }, mapped[3]);
        Assert.Equal(new[] { ("a", 11), ("z", 7) }, snapshots[1].Select(p => (p.Key, p.Value)).Order());
        Assert.Equal(new[] { ("z", 7) }, snapshots[2].Select(p => (p.Key, p.Value)));
    }

    [Fact]
    public async Task Map_with_state_runs_once_per_batch_when_both_its_streams_are_output()
    {
        var calls = 0;
        var spec = StateSpec.Function((string key, int value, KeyedState<int> state) => Interlocked.Increment(ref calls));
        var mapped = new Dictionary<long, int[]>();
        var snapshots = new Dictionary<long, KeyValuePair<string, int>[]>();
        await RunBoth(new[] { new[] { Pair("a", 1), Pair("b", 2) } }, 1, spec, mapped, snapshots);
        Assert.Equal(2, calls);
    }

    private static async Task RunBoth<TKey, TValue, TState, TMapped>(
        KeyValuePair<TKey, TValue>[][] batches,
        int total,
        StateSpec<TKey, TValue, TState, TMapped> spec,
        Dictionary<long, TMapped[]> mapped,
        Dictionary<long, KeyValuePair<TKey, TState>[]> snapshots)
    {
        await using var harness = new StreamHarness(Second);
        var stream = harness.Queue(batches).MapWithState(spec);
        var m = StreamHarness.Collect(stream);
        var s = StreamHarness.Collect(stream.StateSnapshots());
        await harness.StartAsync();
        for (var i = 0; i < total; i++)
        {
            Assert.Null((await harness.RunBatchAsync()).Failure);
        }

        foreach (var (time, records) in m)
        {
            mapped[time.Ticks / Second.Ticks] = records;
        }

        foreach (var (time, records) in s)
        {
            snapshots[time.Ticks / Second.Ticks] = records;
        }
    }

    private static KeyValuePair<string, int> Pair(string key, int value) => new(key, value);
}
