using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using FsCheck.Xunit;
using StreamLinq.Execution;
using StreamLinq.Query;
using StreamLinq.Sinks;
using StreamLinq.State;
using StreamLinq.Tests.Checkpointing;

namespace StreamLinq.Tests.State;

public class StateIdTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    /// <summary>One output per stateful node kind, each with its own lambdas; <paramref name="threshold"/> is used by outputs 1 and 4 only.</summary>
    private static void EveryStatefulOperator(IDStream<int> s, int threshold)
    {
        s.Where(x => x > threshold).Window(3 * Second, Second).ForEachBatch((_, _) => { });
        s.Select(x => x * 2).Window(2 * Second, Second).Count().ForEachBatch((_, _) => { });
        s.Window(4 * Second, 2 * Second).GroupBy(x => x % 3).Select(g => new { g.Key, N = g.Count() }).ForEachBatch((_, _) => { });
        s.Select(x => x + threshold).ReduceByWindow((a, b) => a + b, 2 * Second, Second).ForEachBatch((_, _) => { });
        s.Select(x => new KeyValuePair<int, int>(x % 2, 1)).ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, 2 * Second, Second).ForEachBatch((_, _) => { });
        s.Select(x => new KeyValuePair<int, long>(x % 5, x)).UpdateStateByKey((IReadOnlyList<long> values, long? sum) => (long?)((sum ?? 0) + values.Sum())).ForEachBatch((_, _) => { });
        s.Select(x => new KeyValuePair<int, int>(x % 7, x)).MapWithState(StateSpec.Function((int key, int value, KeyedState<int> state) => key + value)).ForEachBatch((_, _) => { });
        s.WithEventTime(x => DateTimeOffset.FromUnixTimeSeconds(x), 2 * Second).WindowByEventTime(x => x % 2, EventTimeWindows.Tumbling(5 * Second)).ForEachBatch((_, _) => { });
    }

    private const int StatefulKinds = 8;

    /// <summary>
    /// Every stateful node kind, plus a windowed aggregation behind a fused chain and event-time late
    /// data, whose ids the build before the logical plan computed (see the test below): keep as is.
    /// </summary>
    internal static void QueriesWithKnownIds(IDStream<int> s)
    {
        var threshold = 3;
        s.Where(x => x > threshold).Window(3 * Second, Second).ForEachBatch((_, _) => { });
        s.Select(x => x * 2).Window(2 * Second, Second).Count().ForEachBatch((_, _) => { });
        s.Window(4 * Second, 2 * Second).GroupBy(x => x % 3).Select(g => new { g.Key, N = g.Count() }).ForEachBatch((_, _) => { });
        s.Select(x => x + threshold).ReduceByWindow((a, b) => a + b, 2 * Second, Second).ForEachBatch((_, _) => { });
        s.Select(x => new KeyValuePair<int, int>(x % 2, 1)).ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, 2 * Second, Second).ForEachBatch((_, _) => { });
        s.Select(x => new KeyValuePair<int, long>(x % 5, x)).UpdateStateByKey((IReadOnlyList<long> values, long? sum) => (long?)((sum ?? 0) + values.Sum())).ForEachBatch((_, _) => { });
        s.Select(x => new KeyValuePair<int, int>(x % 7, x)).MapWithState(StateSpec.Function((int key, int value, KeyedState<int> state) => key + value)).ForEachBatch((_, _) => { });
        s.WithEventTime(x => DateTimeOffset.FromUnixTimeSeconds(x), 2 * Second).WindowByEventTime(x => x % 2, EventTimeWindows.Tumbling(5 * Second)).ForEachBatch((_, _) => { });
        s.Where(x => x > 0).Select(x => x * 3).Window(3 * Second, Second).GroupBy(x => x % 4).Select(g => new { g.Key, M = g.Max(), S = g.Sum() }).ForEachBatch((_, _) => { });
        var windows = s.WithEventTime(x => DateTimeOffset.FromUnixTimeSeconds(x), Second).WindowByEventTime(x => x % 3, EventTimeWindows.Sliding(4 * Second, 2 * Second));
        windows.ForEachBatch((_, _) => { });
        windows.LateData().ForEachBatch((_, _) => { });
    }

    [Fact]
    public void The_logical_plan_rendering_of_Explain_keeps_every_state_id_the_physical_rendering_gave()
    {
        // The ids these queries had before Explain rendered the logical plan (when it printed the
        // physical nodes), computed by that build: checkpoints written then restore every state now.
        string[] before =
        [
            "Window#a50d65d05524", "WindowedReduce#d900a2786eeb", "WindowedAggregate#bd839b78bef3", "WindowedReduce#60a1c1fb03c2",
            "WindowedReduceByKey#ab0868fb66e5", "UpdateStateByKey#000ce5a3f7fc", "MapWithState#ffc81bdab4dd", "EventTimeWindow#6d009b44472f",
            "WindowedAggregate#410546f13973", "EventTimeWindow#ad403e7a1b66",
        ];
        var context = NewContext(out var s);
        QueriesWithKnownIds(s);

        var explain = context.Explain();
        Assert.Contains("└─ Window: length 00:00:03, slide 00:00:01; stateful ⇒ Window: keeps the records of the window's batches", explain, StringComparison.Ordinal);
        Assert.DoesNotContain("└─ WindowedAggregate:", explain, StringComparison.Ordinal);
        Assert.Equal(before, StateIdsOf(new PlanBuilder().Build(Outputs(context))));
    }

    [Fact]
    public void Rendering_plans_another_way_changes_Explain_but_no_state_id()
    {
        var (ids, explain) = IdsAndExplain(s => EveryStatefulOperator(s, 3));
        var (reRenderedIds, reRenderedExplain) = WithRenderer(e => e.ToString(), () => IdsAndExplain(s => EveryStatefulOperator(s, 3)));

        Assert.NotEqual(explain, reRenderedExplain);
        Assert.Equal(StatefulKinds, ids.Distinct().Count());
        Assert.Equal(ids, reRenderedIds);
    }

    [Fact]
    public void The_same_query_built_twice_gets_the_same_state_ids()
    {
        var first = Ids(s => EveryStatefulOperator(s, 3));
        var second = Ids(s => EveryStatefulOperator(s, 3));

        Assert.Equal(StatefulKinds, first.Distinct().Count());
        Assert.Equal(first, second);
        Assert.All(first, id => Assert.Matches("^[A-Za-z]+#[0-9a-f]{12}$", id));
    }

    [Fact]
    public void Lambda_parameter_names_and_a_captured_value_in_place_of_its_literal_change_no_state_id()
    {
        var limit = 3;
        Action<IDStream<int>> literal = s => s.Where(x => x > 3).Select(x => new KeyValuePair<int, int>(x, 1)).ReduceByKeyAndWindow((a, b) => a + b, 2 * Second, Second).ForEachBatch((_, _) => { });
        Action<IDStream<int>> captured = s => s.Where(value => value > limit).Select(v => new KeyValuePair<int, int>(v, 1)).ReduceByKeyAndWindow((sum, n) => sum + n, 2 * Second, Second).ForEachBatch((_, _) => { });

        var (literalIds, literalExplain) = IdsAndExplain(literal);
        var (capturedIds, capturedExplain) = IdsAndExplain(captured);

        Assert.NotEqual(literalExplain, capturedExplain);
        Assert.Single(literalIds);
        Assert.Equal(literalIds, capturedIds);
    }

    [Fact]
    public void A_changed_captured_value_changes_the_ids_of_the_operators_above_it_and_no_other()
    {
        var three = Ids(s => EveryStatefulOperator(s, 3));
        var four = Ids(s => EveryStatefulOperator(s, 4));

        int[] usesThreshold = [0, 3];
        for (var i = 0; i < StatefulKinds; i++)
        {
            if (usesThreshold.Contains(i))
            {
                Assert.NotEqual(three[i], four[i]);
            }
            else
            {
                Assert.Equal(three[i], four[i]);
            }
        }
    }

    [Fact]
    public void A_changed_lambda_window_or_state_setting_changes_the_state_id()
    {
        string Id(Action<IDStream<int>> query) => Assert.Single(Ids(query));
        var pairs = (Func<IDStream<int>, IDStream<KeyValuePair<int, int>>>)(s => s.Select(x => new KeyValuePair<int, int>(x % 2, x)));

        Assert.NotEqual(
            Id(s => pairs(s).ReduceByKeyAndWindow((a, b) => a + b, 2 * Second, Second).ForEachBatch((_, _) => { })),
            Id(s => pairs(s).ReduceByKeyAndWindow((a, b) => a * b, 2 * Second, Second).ForEachBatch((_, _) => { })));
        Assert.NotEqual(
            Id(s => s.Window(2 * Second, Second).ForEachBatch((_, _) => { })),
            Id(s => s.Window(3 * Second, Second).ForEachBatch((_, _) => { })));
        Assert.NotEqual(
            Id(s => s.Select(x => x % 2).Window(2 * Second, Second).ForEachBatch((_, _) => { })),
            Id(s => s.Select(x => x % 3).Window(2 * Second, Second).ForEachBatch((_, _) => { })));
        Assert.NotEqual(
            Id(s => s.WithEventTime(x => DateTimeOffset.FromUnixTimeSeconds(x), Second).WindowByEventTime(x => 0, EventTimeWindows.Tumbling(5 * Second)).ForEachBatch((_, _) => { })),
            Id(s => s.WithEventTime(x => DateTimeOffset.FromUnixTimeSeconds(x), Second).WindowByEventTime(x => 0, EventTimeWindows.Tumbling(6 * Second)).ForEachBatch((_, _) => { })));
        var spec = StateSpec.Function((int key, int value, KeyedState<int> state) => value);
        Assert.NotEqual(
            Id(s => pairs(s).MapWithState(spec).ForEachBatch((_, _) => { })),
            Id(s => pairs(s).MapWithState(spec.WithTimeout(10 * Second)).ForEachBatch((_, _) => { })));
    }

    [Property(MaxTest = 100)]
    public bool Two_thresholds_give_the_same_state_id_exactly_when_they_are_equal(int a, int b)
    {
        string Id(int threshold) => Ids(s => s.Where(x => x > threshold).Window(2 * Second, Second).ForEachBatch((_, _) => { })).Single();
        return (Id(a) == Id(b)) == (a == b);
    }

    [Fact]
    public void Plans_alike_in_structure_are_told_apart_by_their_order_in_the_plan()
    {
        void Define(IDStream<int> s)
        {
            // Only a captured object's type counts, not its contents: both plans have the same structure.
            foreach (var wanted in new[] { new HashSet<int> { 1 }, new HashSet<int> { 2 } })
            {
                s.Where(x => wanted.Contains(x)).Window(2 * Second, Second).ForEachBatch((_, _) => { });
            }
        }

        var ids = Ids(Define);

        Assert.Equal(2, ids.Length);
        Assert.Equal(ids[0] + "/2", ids[1]);
        Assert.Equal(ids, Ids(Define));
    }

    [Fact]
    public void Another_output_added_before_a_query_changes_none_of_its_state_ids()
    {
        var alone = Ids(s => EveryStatefulOperator(s, 3));
        var afterAnother = Ids(s =>
        {
            s.Select(x => -x).Window(5 * Second, Second).ForEachBatch((_, _) => { });
            EveryStatefulOperator(s, 3);
        });

        Assert.Equal(StatefulKinds + 1, afterAnother.Length);
        Assert.Equal(alone, afterAnother.Skip(1));
    }

    [Fact]
    public async Task A_checkpoint_written_under_one_rendering_restores_every_state_under_another()
    {
        using var scratch = new Scratch();
        var countsOfA = new ConcurrentDictionary<BatchTime, int>();
        var windowCounts = new ConcurrentDictionary<BatchTime, long>();
        void Define(StreamingContext context)
        {
            var words = context.TextFileStream(scratch.Input).Where(w => w.Length > 0);
            words.Select(w => new KeyValuePair<string, int>(w, 1))
                .UpdateStateByKey((IReadOnlyList<int> ones, int? count) => (int?)((count ?? 0) + ones.Count))
                .ForEachBatch((batch, time) => countsOfA[time] = batch.Single(p => p.Key == "a").Value);
            words.Window(3 * Second, Second).Count().ForEachBatch((batch, time) => windowCounts[time] = batch.Single());
        }

        scratch.AddFile("a", "b");
        await using (var first = new CheckpointHarness(scratch.Checkpoints, Define))
        {
            await first.StartAsync();
            await first.RunUntilAsync(CheckpointHarness.Second(1));
            await first.Context.StopAsync(graceful: false);
        }

        PlanText.Renderer.Value = e => e.ToString();
        scratch.AddFile("a", "c");
        await using var second = new CheckpointHarness(scratch.Checkpoints, Define, clockStart: CheckpointHarness.Second(1).Ticks);
        await second.StartAsync();
        await second.RunUntilAsync(CheckpointHarness.Second(2));

        Assert.Equal((1, 2L), (countsOfA[CheckpointHarness.Second(1)], windowCounts[CheckpointHarness.Second(1)]));
        Assert.Equal((2, 4L), (countsOfA[CheckpointHarness.Second(2)], windowCounts[CheckpointHarness.Second(2)]));
        Assert.Empty(second.Warnings);
    }

    private static T WithRenderer<T>(Func<Expression, string> renderer, Func<T> run)
    {
        var previous = PlanText.Renderer.Value;
        PlanText.Renderer.Value = renderer;
        try
        {
            return run();
        }
        finally
        {
            PlanText.Renderer.Value = previous;
        }
    }

    private static string[] Ids(Action<IDStream<int>> define) => IdsAndExplain(define).Ids;

    private static (string[] Ids, string Explain) IdsAndExplain(Action<IDStream<int>> define)
    {
        var context = NewContext(out var s);
        define(s);
        return (StateIdsOf(new PlanBuilder().Build(Outputs(context))), context.Explain());
    }

    /// <summary>The ids as the scheduler assigns them: every stateful node once, in plan order, repeats renamed.</summary>
    private static string[] StateIdsOf(ExecutionPlan plan) =>
        StateIds.Distinct(plan.Outputs.SelectMany(o => ExecutionPlan.Nodes(o.Root)).Distinct(ReferenceEqualityComparer.Instance).OfType<IStatefulOperator>())
            .Select(op => op.StateId)
            .ToArray();

    private static StreamingContext NewContext(out IDStream<int> input)
    {
        var context = new StreamingContext(Second);
        input = context.QueueStream(new ConcurrentQueue<IEnumerable<int>>());
        return context;
    }

    private static IReadOnlyList<OutputOperation> Outputs(StreamingContext context) =>
        (IReadOnlyList<OutputOperation>)typeof(StreamingContext).GetField("_outputs", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(context)!;
}
