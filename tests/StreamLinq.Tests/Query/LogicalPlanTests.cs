using System.Collections.Concurrent;
using System.Reflection;
using FsCheck;
using FsCheck.Xunit;
using StreamLinq.Execution;
using StreamLinq.Query;
using StreamLinq.Query.Logical;
using StreamLinq.Sinks;
using StreamLinq.State;
using StreamLinq.Tests.State;

namespace StreamLinq.Tests.Query;

public class LogicalPlanTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public void Every_line_of_Explain_is_a_logical_operator_with_its_physical_choice_or_a_shuffle_boundary()
    {
        var context = NewContext(out var s);
        StateIdTests.QueriesWithKnownIds(s);
        s.Join(s.Where(x => x > 1), x => x % 10, y => y % 10, (x, y) => x + y).OrderBy(x => x).Take(5).ForEachBatch((_, _) => { });

        var lines = context.Explain().Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.All(lines, line => Assert.True(
            line.EndsWith(" once)", StringComparison.Ordinal) || (line.TrimStart().StartsWith("└─ ", StringComparison.Ordinal) && line.Contains(" ⇒ ", StringComparison.Ordinal)) || line.TrimStart().StartsWith("═ shuffle: ", StringComparison.Ordinal),
            line));
        Assert.DoesNotContain(lines, line => line.Contains("not compiled", StringComparison.Ordinal));
    }

    [Fact]
    public void A_grouped_aggregation_cuts_the_plan_into_two_stages_at_a_shuffle_by_its_key()
    {
        var context = NewContext(out var s);
        s.Where(x => x > 0).Select(x => x * 2).GroupBy(x => x % 3).Select(g => new { g.Key, N = g.Count() }).ForEachBatch((_, _) => { });

        var plan = new QueryPlanner().Plan(Outputs(context));
        var root = Assert.IsType<GroupAggregateOperator>(plan.Outputs.Single().Root);
        var map = Assert.IsType<MapOperator>(root.Input);
        var source = Assert.IsType<SourceOperator>(map.Input);
        var stages = LogicalPlan.Stages(root);

        Assert.Equal(ExchangeKind.HashByKey, root.Exchange.Kind);
        Assert.Equal("x => x % 3", root.Exchange.By);
        Assert.False(map.Exchange.IsBoundary);
        Assert.Equal(stages[map], stages[source]);
        Assert.Equal((1, 2), (stages[root], stages[map]));
        Assert.Equal(2, stages.Values.Distinct().Count());
    }

    [Fact]
    public void Keyed_operators_hash_by_their_key_whole_batch_operators_gather_and_per_record_ones_need_no_shuffle()
    {
        var context = NewContext(out var s);
        IDStream<int>[] streams =
        [
            s.Join(s.Select(x => x + 1), x => x % 10, y => y % 10, (x, y) => x + y),
            s.OrderBy(x => x),
            s.Count().Select(n => (int)n),
            s.Concat(s.Select(x => -x)),
            s.Select(x => new KeyValuePair<int, int>(x % 2, x)).UpdateStateByKey((IReadOnlyList<int> values, int? sum) => (int?)((sum ?? 0) + values.Sum())).Select(p => p.Value),
            s.Distinct(),
        ];

        var roots = streams.Select(stream => Top(new QueryPlanner().Plan(stream.Expression))).ToList();

        Assert.Equal((ExchangeKind.HashByKey, "x => x % 10 = y => y % 10"), (roots[0].Exchange.Kind, roots[0].Exchange.By));
        Assert.Equal(ExchangeKind.Gather, roots[1].Exchange.Kind);
        Assert.Equal(ExchangeKind.Gather, roots[2].Exchange.Kind);
        Assert.Equal(ExchangeKind.None, roots[3].Exchange.Kind);
        Assert.Equal(ExchangeKind.HashByKey, roots[4].Exchange.Kind);
        Assert.Equal((ExchangeKind.HashByKey, "the whole record"), (roots[5].Exchange.Kind, roots[5].Exchange.By));

        // The operator below a trailing Select (the Map) is the one asked about.
        static LogicalNode Top(LogicalNode node) => node is MapOperator map ? map.Input : node;
    }

    [Fact]
    public void The_logical_plan_marks_as_stateful_exactly_the_operators_compiled_to_stateful_nodes()
    {
        var context = NewContext(out var s);
        StateIdTests.QueriesWithKnownIds(s);
        var outputs = Outputs(context);

        var logical = new QueryPlanner().Plan(outputs);
        var statefulLogical = logical.Outputs.SelectMany(o => LogicalPlan.Nodes(o.Root)).Distinct(ReferenceEqualityComparer.Instance).Cast<LogicalNode>().Count(n => n.IsStateful);
        var physical = new PlanBuilder().Build(outputs).Outputs.SelectMany(o => ExecutionPlan.Nodes(o.Root)).Distinct(ReferenceEqualityComparer.Instance).OfType<IStatefulOperator>().Count();

        // Two windows are absorbed into the aggregations over them: each is one stateful logical
        // node (the window) under one that is not (the aggregate), and one stateful physical node.
        Assert.Equal(physical, statefulLogical);
    }

    [Fact]
    public void A_map_the_compiler_fuses_into_an_aggregate_stays_a_node_of_the_logical_plan_and_becomes_none_of_the_physical_one()
    {
        var context = NewContext(out var s);
        s.Where(x => x > 0).Select(x => (long)x).Sum().ForEachBatch((_, _) => { });

        var logical = new QueryPlanner().Plan(Outputs(context));
        var physical = new PlanBuilder().Build(Outputs(context));

        Assert.Equal(["Aggregate", "Map", "Source"], LogicalPlan.Nodes(logical.Outputs.Single().Root).Select(n => n.Operator));
        Assert.Equal(["BatchAggregate", "Source"], ExecutionPlan.Nodes(physical.Outputs.Single().Root).Select(n => n.Kind));
    }

    [Fact]
    public void A_subtree_shared_by_two_outputs_is_one_logical_node_and_one_physical_node()
    {
        var context = NewContext(out var s);
        var shared = s.Where(x => x % 2 == 0).Window(2 * Second, Second);
        shared.ForEachBatch((_, _) => { });
        shared.Select(x => x + 1).ForEachBatch((_, _) => { });

        var logical = new QueryPlanner().Plan(Outputs(context));
        var physical = new PlanBuilder().Build(Outputs(context));

        Assert.Same(logical.Outputs[0].Root, ((MapOperator)logical.Outputs[1].Root).Input);
        Assert.Same(physical.Outputs[0].Root, physical.Outputs[1].Root.Children.Single());
    }

    /// <summary>An operator a chain may apply, and what the test expects of it in the logical plan.</summary>
    private sealed record Step(string Name, Func<IDStream<int>, IDStream<int>> Apply, ExchangeKind Exchange, bool Relational);

    private static readonly Step[] Steps =
    [
        new("Where", s => s.Where(x => x % 3 != 0), ExchangeKind.None, false),
        new("Select", s => s.Select(x => x + 1), ExchangeKind.None, false),
        new("Window", s => s.Window(2 * Second, Second), ExchangeKind.None, false),
        new("GroupBy+Count", s => s.GroupBy(x => x % 5).Select(g => g.Count()), ExchangeKind.HashByKey, false),
        new("Count", s => s.Count().Select(n => (int)n), ExchangeKind.Gather, false),
        new("OrderBy", s => s.OrderBy(x => x), ExchangeKind.Gather, true),
        new("Distinct", s => s.Distinct(), ExchangeKind.HashByKey, true),
    ];

    [Property(MaxTest = 60)]
    public bool A_chain_of_operators_has_one_stage_more_than_it_has_shuffle_boundaries_and_Explain_marks_each(NonEmptyArray<byte> choices)
    {
        var chain = choices.Get.Take(6).Select(c => Steps[c % Steps.Length]).ToList();
        var context = NewContext(out var s);
        var stream = chain.Aggregate(s, (current, step) => step.Apply(current));

        // Consecutive operators with no special form run as one LINQ to Objects query: one node,
        // one boundary, a gather when any of them needs the whole batch.
        var expected = new List<ExchangeKind>();
        for (var i = 0; i < chain.Count; i++)
        {
            if (!chain[i].Relational)
            {
                expected.Add(chain[i].Exchange);
                continue;
            }

            var run = chain.Skip(i).TakeWhile(step => step.Relational).ToList();
            expected.Add(run.Any(step => step.Exchange == ExchangeKind.Gather) ? ExchangeKind.Gather : ExchangeKind.HashByKey);
            i += run.Count - 1;
        }

        var boundaries = expected.Count(kind => kind != ExchangeKind.None);
        var root = new QueryPlanner().Plan(stream.Expression);
        var nodes = LogicalPlan.Nodes(root).ToList();
        var explain = stream.Explain();

        return LogicalPlan.Stages(root).Values.Distinct().Count() == boundaries + 1
            && nodes.Count(n => n.Exchange.IsBoundary) == boundaries
            && nodes.Where(n => n.Exchange.IsBoundary).Select(n => n.Exchange.Kind).Reverse().SequenceEqual(expected.Where(kind => kind != ExchangeKind.None))
            && explain.Split('\n').Count(line => line.TrimStart().StartsWith("═ shuffle", StringComparison.Ordinal)) == boundaries
            && explain.Split('\n').Count(line => line.Contains("└─ ", StringComparison.Ordinal)) == nodes.Count;
    }

    private static StreamingContext NewContext(out IDStream<int> input)
    {
        var context = new StreamingContext(Second);
        input = context.QueueStream(new ConcurrentQueue<IEnumerable<int>>());
        return context;
    }

    private static IReadOnlyList<OutputOperation> Outputs(StreamingContext context) =>
        (IReadOnlyList<OutputOperation>)typeof(StreamingContext).GetField("_outputs", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(context)!;
}
