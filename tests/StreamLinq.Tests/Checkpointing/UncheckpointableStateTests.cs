using System.Collections.Concurrent;
using System.Reactive.Subjects;

namespace StreamLinq.Tests.Checkpointing;

/// <summary>A record whose payload is declared as object: its runtime type cannot be read back.</summary>
public sealed record Envelope(string Id, object Payload);

/// <summary>A state that carries a function: code, which a checkpoint never holds.</summary>
public sealed record Rule(string Name, Func<int, bool> Test);

/// <summary>A state with an interface-typed member that is not a collection.</summary>
public sealed record Ranked(string Name, IComparable Rank);

/// <summary>A record with a subclass: a value of the subclass would lose its own fields.</summary>
public record Shape(double Area);

/// <summary>The subclass of <see cref="Shape"/>.</summary>
public sealed record Circle(double Area, double Radius) : Shape(Area);

/// <summary>A state holding a grid.</summary>
public sealed record Grid(int[,] Cells);

/// <summary>A state holding a framework object whose fields are not data.</summary>
public sealed record Matcher(System.Text.RegularExpressions.Regex Pattern);

/// <summary>
/// With checkpointing, a query whose state would hold a type that cannot round-trip does not
/// start: the error names the type, the operator holding it and why, instead of a restart that
/// silently loses the data.
/// </summary>
public class UncheckpointableStateTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    public static TheoryData<string, string, string> Refusals => new()
    {
        { "object member in a window buffer", "Envelope.Payload", "object" },
        { "delegate in keyed state", "Rule.Test", "delegate" },
        { "interface member in MapWithState state", "Ranked.Rank", "interface" },
        { "class with subclasses as a key", "Circle", "subclasses" },
        { "multidimensional array in a reduced value", "Grid.Cells", "multidimensional" },
        { "framework type in event-time window records", "Matcher.Pattern", "framework type" },
        { "object records in a write-ahead log", "object", "object" },
    };

    private static readonly Dictionary<string, Action<StreamingContext>> Queries = new()
    {
        ["object member in a window buffer"] = c => Queue<int>(c).Select(i => new Envelope("e", i)).Window(2 * Second, Second).Print(),
        ["delegate in keyed state"] = c => Queue<int>(c)
            .Select(i => new KeyValuePair<int, int>(i, i))
            .UpdateStateByKey((IReadOnlyList<int> values, Rule? rule) => rule ?? new Rule("positive", x => x > 0))
            .Print(),
        ["interface member in MapWithState state"] = c => Queue<int>(c)
            .Select(i => new KeyValuePair<int, int>(i, i))
            .MapWithState(StateSpec.Function((int key, int value, KeyedState<Ranked> state) => key))
            .Print(),
        ["class with subclasses as a key"] = c => Queue<int>(c)
            .Select(i => new KeyValuePair<Shape, int>(new Shape(i), i))
            .ReduceByKeyAndWindow((a, b) => a + b, 2 * Second, Second)
            .Print(),
        ["multidimensional array in a reduced value"] = c => Queue<int>(c).Select(i => new Grid(new int[1, 1])).ReduceByWindow((a, b) => b, 2 * Second, Second).Print(),
        ["framework type in event-time window records"] = c => Queue<int>(c)
            .Select(i => new Matcher(new System.Text.RegularExpressions.Regex("a")))
            .WithEventTime(m => DateTimeOffset.UnixEpoch, Second)
            .WindowByEventTime(m => 0, EventTimeWindows.Tumbling(Second))
            .Print(),
        ["object records in a write-ahead log"] = c => c.FromObservable<object>(new Subject<object>(), new ReceiverOptions { WriteAheadLog = true }).Print(),
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_checkpointed_context_refuses_to_start_naming_the_type_and_why(string query, string type, string reason)
    {
        using var scratch = new Scratch();
        await using var harness = new CheckpointHarness(scratch.Checkpoints, Queries[query]);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(harness.StartAsync);
        Assert.Contains(type, error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be checkpointed", error.Message, StringComparison.Ordinal);
        Assert.Equal(StreamingContextState.Initialized, harness.Context.State);
    }

    public static TheoryData<string> QueriesWithoutLog => [.. Queries.Keys.Where(k => !k.Contains("write-ahead log", StringComparison.Ordinal))];

    [Theory]
    [MemberData(nameof(QueriesWithoutLog))]
    public async Task Without_checkpointing_the_same_query_starts(string query)
    {
        await using var context = new StreamingContext(Second, new StreamingOptions { TimeProvider = new FakeTimeProvider(DateTimeOffset.UnixEpoch) });
        Queries[query](context);
        await context.StartAsync();
        Assert.Equal(StreamingContextState.Active, context.State);
    }

    [Fact]
    public async Task A_checkpointed_context_whose_state_types_round_trip_starts()
    {
        using var scratch = new Scratch();
        await using var harness = new CheckpointHarness(scratch.Checkpoints, c => Queue<(int, string)>(c)
            .Select(t => new KeyValuePair<(int, string), Support.Tally?>(t, null))
            .UpdateStateByKey((IReadOnlyList<Support.Tally?> values, Support.Reading? state) => state)
            .Print());
        await harness.StartAsync();
        Assert.Equal(StreamingContextState.Active, harness.Context.State);
    }

    private static IDStream<T> Queue<T>(StreamingContext context) => context.QueueStream(new ConcurrentQueue<IEnumerable<T>>());
}
