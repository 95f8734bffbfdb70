using System.Text.Json;
using StreamLinq.Execution;
using StreamLinq.Query;
using StreamLinq.State;

namespace StreamLinq.Tests.State;

/// <summary>
/// Every stateful operator's state survives WriteState/ReadState: a plan restored from the state
/// written after batch k computes exactly what the original plan computes for the batches after k.
/// </summary>
public class StateRoundTripTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    public static TheoryData<string> Queries => [.. QueryMap.Keys];

    private static readonly Dictionary<string, Func<IDStream<int>, IDStream>> QueryMap = new()
    {
        ["Window"] = s => s.Window(3 * Second, 2 * Second),
        ["IncrementalWindowedAggregate"] = s => s.Window(3 * Second, Second).GroupBy(x => x % 3).Select(g => new { g.Key, N = g.Count(), S = g.Sum() }),
        ["MergedWindowedAggregate"] = s => s.Window(4 * Second, 2 * Second).GroupBy(x => x % 3).Select(g => new { g.Key, N = g.Count(), M = g.Max() }),
        ["ReduceByWindowWithInverse"] = s => s.Select(x => (long)x).ReduceByWindow((a, b) => a + b, (a, b) => a - b, 3 * Second, Second),
        ["ReduceByWindow"] = s => s.Select(x => (long)x).ReduceByWindow((a, b) => a + b, 3 * Second, 2 * Second),
        ["CountByValueAndWindow"] = s => s.Select(x => x % 4).CountByValueAndWindow(4 * Second, 2 * Second),
        ["ReduceByKeyAndWindow"] = s => s.Select(x => new KeyValuePair<int, long>(x % 3, x)).ReduceByKeyAndWindow((a, b) => a + b, 3 * Second, Second),
        ["UpdateStateByKey"] = s => s.Select(x => new KeyValuePair<int, int>(x % 5, x)).UpdateStateByKey((IReadOnlyList<int> values, long? state) => values.Contains(7) ? null : (state ?? 0) + values.Sum()),
        ["MapWithState"] = s => s
            .Select(x => new KeyValuePair<string, int>("k" + (x % 6), x))
            .MapWithState(StateSpec.Function((string key, int value, KeyedState<int> state) =>
            {
                if (state.IsTimingOut)
                {
                    return key + " timed out";
                }

                state.Update(state.GetOrDefault(0) + value);
                return key + "=" + state.Get();
            }).WithTimeout(2 * Second))
            .StateSnapshots(),
        ["EventTimeSliding"] = s => s
            .WithEventTime(x => DateTimeOffset.UnixEpoch.AddSeconds(x), 3 * Second)
            .WindowByEventTime(x => x % 2, EventTimeWindows.Sliding(6 * Second, 2 * Second), 2 * Second, WindowOutputMode.Updates)
            .Select(w => new { w.Key, w.Start, w.End, w.IsFinal, Records = w.Records.ToArray() }),
        ["EventTimeLateData"] = s => s
            .WithEventTime(x => DateTimeOffset.UnixEpoch.AddSeconds(x), 2 * Second)
            .WindowByEventTime(x => x % 2, EventTimeWindows.Tumbling(5 * Second))
            .LateData(),
        ["EventTimeSession"] = s => s
            .WithEventTime(x => DateTimeOffset.UnixEpoch.AddSeconds(x), 4 * Second)
            .WindowByEventTime(x => x % 3, EventTimeWindows.Session(3 * Second), Second)
            .Select(w => new { w.Key, w.Start, w.End, Records = w.Records.ToArray() }),
    };

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task A_plan_restored_from_written_state_continues_exactly_as_the_original(string name)
    {
        var random = new Random(name.Length * 7919);
        var batches = Enumerable.Range(0, 14).Select(_ => Enumerable.Range(0, random.Next(0, 8)).Select(_ => random.Next(0, 40)).ToArray()).ToArray();
        await using var context = new StreamingContext(Second, new StreamingOptions { TimeProvider = new FakeTimeProvider(DateTimeOffset.UnixEpoch) });
        var stream = QueryMap[name](context.QueueStream(new System.Collections.Concurrent.ConcurrentQueue<IEnumerable<int>>()));
        for (var k = 1; k < batches.Length; k += 3)
        {
            var original = new PlanBuilder().Build(stream.Expression);
            for (var b = 0; b < k; b++)
            {
                Run(original, b, batches[b]);
            }

            var stateful = ExecutionPlan.Nodes(original).OfType<IStatefulOperator>().ToList();
            Assert.NotEmpty(stateful);
            var saved = stateful.ToDictionary(op => op.StateId, op => (op.StateVersion, Json: Write(op)));

            var restored = new PlanBuilder().Build(stream.Expression);
            foreach (var op in ExecutionPlan.Nodes(restored).OfType<IStatefulOperator>())
            {
                var (version, json) = saved[op.StateId];
                using var document = JsonDocument.Parse(json);
                op.ReadState(document.RootElement, version);
                Assert.Equal(json, Write(op)); // what was read writes back the same
            }

            for (var b = k; b < batches.Length; b++)
            {
                Assert.Equal(Run(original, b, batches[b]), Run(restored, b, batches[b]));
            }
        }
    }

    [Theory]
    [InlineData("Window")]
    [InlineData("IncrementalWindowedAggregate")]
    [InlineData("MergedWindowedAggregate")]
    [InlineData("ReduceByWindowWithInverse")]
    [InlineData("ReduceByWindow")]
    [InlineData("CountByValueAndWindow")]
    [InlineData("ReduceByKeyAndWindow")]
    public async Task A_window_given_the_same_batch_twice_counts_it_once(string name)
    {
        var random = new Random(name.Length);
        var batches = Enumerable.Range(0, 8).Select(_ => Enumerable.Range(0, random.Next(1, 8)).Select(_ => random.Next(0, 40)).ToArray()).ToArray();
        await using var context = new StreamingContext(Second, new StreamingOptions { TimeProvider = new FakeTimeProvider(DateTimeOffset.UnixEpoch) });
        var stream = QueryMap[name](context.QueueStream(new System.Collections.Concurrent.ConcurrentQueue<IEnumerable<int>>()));
        var once = new PlanBuilder().Build(stream.Expression);
        var twice = new PlanBuilder().Build(stream.Expression);
        for (var b = 0; b < batches.Length; b++)
        {
            var expected = Run(once, b, batches[b]);
            Run(twice, b, batches[b]);
            Assert.Equal(expected, Run(twice, b, batches[b])); // the replay replaces the batch's entry
        }
    }

    [Fact]
    public void Reading_state_of_another_version_is_refused_with_the_operator_named()
    {
        var context = new StreamingContext(Second);
        var stream = context.QueueStream(new System.Collections.Concurrent.ConcurrentQueue<IEnumerable<int>>()).Window(2 * Second, Second);
        var window = ExecutionPlan.Nodes(new PlanBuilder().Build(stream.Expression)).OfType<IStatefulOperator>().Single();
        using var document = JsonDocument.Parse("[]");
        var error = Assert.Throws<InvalidDataException>(() => window.ReadState(document.RootElement, window.StateVersion + 1));
        Assert.Contains("Window", error.Message);
    }

    private static string Run(PlanNode root, int index, int[] records)
    {
        var time = new BatchTime((index + 1) * Second.Ticks);
        var source = ExecutionPlan.Nodes(root).OfType<SourceNode>().Single();
        var execution = new BatchExecution(time, new Dictionary<int, Array> { [source.InputId] = records }, new StreamingOptions(), CancellationToken.None);
        var result = execution.Evaluate(root);
        // Keyed outputs come in the state store's order, which is not part of the contract: compare as multisets.
        return result is null
            ? "no batch"
            : string.Join("\n", result.Cast<object>().Select(r => JsonSerializer.Serialize(r, r.GetType())).Order(StringComparer.Ordinal));
    }

    private static string Write(IStatefulOperator op)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            op.WriteState(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
