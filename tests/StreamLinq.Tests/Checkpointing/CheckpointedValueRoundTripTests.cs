using System.Collections.Concurrent;
using FsCheck;
using FsCheck.Fluent;
using StreamLinq.Checkpointing;
using StreamLinq.Execution;
using StreamLinq.Query;
using StreamLinq.State;
using StreamLinq.Tests.Support;
using static StreamLinq.Tests.Support.CheckpointValues;

namespace StreamLinq.Tests.Checkpointing;

/// <summary>
/// The rule of checkpoints: whatever the engine accepts as a record, key, state or aggregate
/// round-trips exactly. For generated values of every shape a query may hold, every stateful
/// operator restored from a checkpoint written after a random batch yields the same outputs,
/// compared bit for bit, as the operator that never stopped.
/// </summary>
public class CheckpointedValueRoundTripTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    public static TheoryData<string> Families => [.. Cases.Keys];

    private static readonly Dictionary<string, Action> Cases = new()
    {
        ["record keys, record values (NaN, -0.0, decimal scale, offsets, lone surrogates)"] = () => Check(Readings, Readings),
        ["record struct keys and values (floats, Guid, enum)"] = () => Check(Points, Points),
        ["class with fields, properties, private and get-only members"] = () => Check(Strings, Tallies),
        ["anonymous types"] = () => Check(Ints.Select(i => new { K = i % 3, S = i % 2 == 0 ? "\uDC00" : null }), Gen.Zip(Doubles, Decimals).Select(p => new { D = p.Item1, M = p.Item2, N = (int?)null })),
        ["value tuples of arity 1 to 3"] = () => Check(Gen.Zip(Strings, Ints).Select(p => (p.Item1, p.Item2 % 4)), Gen.Zip(Doubles, Floats).Select(p => (ValueTuple.Create(p.Item1), p.Item1, p.Item2))),
        ["value tuples of arity 7, 8 and 9 (Rest)"] = () => Check(Ints.Select(i => (i % 2, 1, 2, 3, 4, 5, 6, "r")), Doubles.Select(d => (d, -d, 1, 2, 3, 4, 5, 6, 7.5m))),
        ["Tuple and KeyValuePair"] = () => Check(Ints.Select(i => Tuple.Create(i % 3, "t")), Gen.Zip(Strings, Doubles).Select(p => new KeyValuePair<string?, double>(p.Item1, p.Item2))),
        ["nullable values and null keys"] = () => Check(OrNull(Ints.Select(i => i % 3)), OrNull(Doubles)),
        ["enums, Guid, DateTimeOffset and decimal"] = () => Check(Shades, Gen.Zip(Gen.Zip(Guids, Times), Decimals)),
        ["doubles (NaN payloads, infinities, -0.0) as keys and values"] = () => Check(Doubles, Doubles),
        ["floats and strings with lone surrogates"] = () => Check(Strings, Floats),
        ["nested collections"] = () => Check(Gen.Elements("a", "b", null), Nested.Select(d => new List<Dictionary<(int, string), List<double?>>> { d, d }.ToArray())),
        ["tuple keys that must not collapse"] = () => Check(Gen.Zip(Gen.Choose(0, 2), Gen.Elements("x", "y")), Ints),
    };

    [Theory]
    [MemberData(nameof(Families))]
    public void A_restart_at_a_random_batch_gives_the_same_outputs_as_a_run_without_one(string family) => Cases[family]();

    [Fact]
    public async Task Tuple_keys_keep_their_counts_across_a_driver_restart()
    {
        using var scratch = new Scratch();
        var counts = new ConcurrentDictionary<BatchTime, KeyValuePair<(string, int), int>[]>();
        void Define(StreamingContext context) =>
            context.TextFileStream(scratch.Input)
                .Select(w => new KeyValuePair<(string Word, int Length), int>(ValueTuple.Create(w, w.Length), 1))
                .UpdateStateByKey((IReadOnlyList<int> ones, int? count) => (int?)((count ?? 0) + ones.Count))
                .ForEachBatch((batch, time) => counts[time] = [.. batch]);

        scratch.AddFile("a", "bb", "a");
        await using (var first = new CheckpointHarness(scratch.Checkpoints, Define))
        {
            await first.StartAsync();
            await first.RunUntilAsync(CheckpointHarness.Second(1));
            await first.Context.StopAsync(graceful: false);
        }

        scratch.AddFile("a", "cc");
        await using var second = new CheckpointHarness(scratch.Checkpoints, Define, clockStart: CheckpointHarness.Second(1).Ticks);
        await second.StartAsync();
        var batch = await second.RunUntilAsync(CheckpointHarness.Second(2));
        Assert.Null(batch.Failure);
        Assert.Equal(
            new Dictionary<(string, int), int> { [("a", 1)] = 3, [("bb", 2)] = 1, [("cc", 2)] = 1 },
            counts[CheckpointHarness.Second(2)].ToDictionary(p => p.Key, p => p.Value));
    }

    [Fact]
    public async Task A_windowed_Max_over_doubles_survives_NaN_and_infinities_and_a_restart()
    {
        using var scratch = new Scratch();
        var maxima = new ConcurrentDictionary<BatchTime, double[]>();
        void Define(StreamingContext context) =>
            context.TextFileStream(scratch.Input)
                .Select(l => double.Parse(l, System.Globalization.CultureInfo.InvariantCulture))
                .Window(3 * Second, Second)
                .GroupBy(x => x < 0)
                .Select(g => new { g.Key, Max = g.Max() })
                .ForEachBatch((batch, time) => maxima[time] = batch.OrderBy(r => r.Key).Select(r => r.Max).ToArray());

        string[][] files = [["NaN", "1"], ["-Infinity", "-0"], ["Infinity", "-5"], ["2", "-NaN"], ["-1"]];
        await using (var first = new CheckpointHarness(scratch.Checkpoints, Define))
        {
            await first.StartAsync();
            for (var b = 1; b <= 2; b++)
            {
                scratch.AddFile(files[b - 1]);
                Assert.Null((await first.RunUntilAsync(CheckpointHarness.Second(b))).Failure);
            }

            await first.Context.StopAsync(graceful: false);
        }

        await using var second = new CheckpointHarness(scratch.Checkpoints, Define, clockStart: CheckpointHarness.Second(2).Ticks);
        await second.StartAsync();
        for (var b = 3; b <= files.Length; b++)
        {
            scratch.AddFile(files[b - 1]);
            Assert.Null((await second.RunUntilAsync(CheckpointHarness.Second(b))).Failure);
        }

        for (var b = 1; b <= files.Length; b++)
        {
            var window = files.Take(b).TakeLast(3).SelectMany(f => f).Select(l => double.Parse(l, System.Globalization.CultureInfo.InvariantCulture));
            var expected = window.GroupBy(x => x < 0).OrderBy(g => g.Key).Select(g => g.Max()).ToArray();
            ExactEquality.AssertEqual(expected, maxima[CheckpointHarness.Second(b)], $"window at {b} s");
        }
    }

    [Fact]
    public async Task A_write_ahead_log_gives_back_tuple_records_exactly_after_a_driver_dies()
    {
        using var scratch = new Scratch();
        var logged = new ReceiverOptions { WriteAheadLog = true };
        var seen = new ConcurrentQueue<(string?, double, decimal)>();
        void Define(StreamingContext context, IObservable<(string?, double, decimal)> source) =>
            context.FromObservable(source, logged).ForEachBatch((batch, _) =>
            {
                foreach (var record in batch)
                {
                    seen.Enqueue(record);
                }
            });

        (string?, double, decimal)[] records = [("\uD800", double.NaN, 1.10m), (null, -0.0, decimal.Negate(0.0m)), ("x", double.NegativeInfinity, 2m)];
        var subject = new System.Reactive.Subjects.Subject<(string?, double, decimal)>();
        await using (var first = new CheckpointHarness(scratch.Checkpoints, context => Define(context, subject)))
        {
            await first.StartAsync();
            foreach (var record in records)
            {
                subject.OnNext(record);
            }

            // The driver dies before sealing them: only the log has them.
            await first.Context.StopAsync(graceful: false);
        }

        await using var second = new CheckpointHarness(scratch.Checkpoints, context => Define(context, new System.Reactive.Subjects.Subject<(string?, double, decimal)>()));
        await second.StartAsync();
        Assert.Null((await second.RunUntilAsync(CheckpointHarness.Second(1))).Failure);
        ExactEquality.AssertEqual(records, seen.ToArray());
    }

    private static void Check<TKey, TValue>(Gen<TKey> keys, Gen<TValue> values)
    {
        var item = Gen.Zip(Gen.Zip(Gen.Choose(-3, 1), keys), values).Select(p => (Offset: p.Item1.Item1, Key: p.Item1.Item2, Value: p.Item2));
        var run = Gen.Zip(Gen.ListOf(Gen.ArrayOf(item).Resize(5), 8).Select(b => b.ToArray()), Gen.Choose(1, 7));
        Prop.ForAll(run.ToArbitrary(), input =>
            {
                var (batches, restartAfter) = input;
                var records = batches.Select((batch, b) => batch.Select(r => new Item<TKey, TValue>(b + 1 + r.Offset, r.Key, r.Value)).ToArray()).ToArray();
                foreach (var (name, query) in Queries<TKey, TValue>())
                {
                    RestartAndCompare(name, query, records, restartAfter);
                }
            })
            .Check(Config.QuickThrowOnFailure.WithMaxTest(12));
    }

    private static IEnumerable<(string Name, Func<IDStream<Item<TKey, TValue>>, IDStream> Query)> Queries<TKey, TValue>()
    {
        yield return ("Window of values", s => s.Select(i => i.Value).Window(3 * Second, Second));
        yield return ("Window of records", s => s.Window(2 * Second, 2 * Second));
        yield return ("UpdateStateByKey", s => s
            .Select(i => new KeyValuePair<TKey, TValue>(i.Key, i.Value))
            .UpdateStateByKey((IReadOnlyList<TValue> values, List<TValue>? state) => (state ?? new List<TValue>()).Concat(values).TakeLast(3).ToList()));
        yield return ("UpdateStateByKey with immutable state", s => s
            .Select(i => new KeyValuePair<TKey, TValue>(i.Key, i.Value))
            .UpdateStateByKey((IReadOnlyList<TValue> values, System.Collections.Immutable.ImmutableList<TValue>? state) =>
                (state ?? System.Collections.Immutable.ImmutableList<TValue>.Empty).AddRange(values)));
        yield return ("Window of LINQ groupings", s => s.GroupBy(i => i.Key).Window(3 * Second, Second).Select(g => new { g.Key, Items = g.ToArray() }));
        yield return ("MapWithState", s => s
            .Select(i => new KeyValuePair<TKey, TValue>(i.Key, i.Value))
            .MapWithState(StateSpec.Function((TKey key, TValue value, KeyedState<TValue> state) =>
            {
                var previous = state.GetOrDefault(value);
                if (!state.IsTimingOut)
                {
                    state.Update(value);
                }

                return new KeyValuePair<TKey, TValue>(key, previous);
            }).WithTimeout(3 * Second)));
        yield return ("MapWithState snapshots", s => s
            .Select(i => new KeyValuePair<TKey, TValue>(i.Key, i.Value))
            .MapWithState(StateSpec.Function((TKey key, TValue value, KeyedState<TValue> state) =>
            {
                state.Update(value);
                return 0;
            }))
            .StateSnapshots());
        yield return ("ReduceByKeyAndWindow", s => s
            .Select(i => new KeyValuePair<TKey, TValue>(i.Key, i.Value))
            .ReduceByKeyAndWindow((a, b) => b, 3 * Second, Second));
        yield return ("ReduceByWindow", s => s.Select(i => i.Value).ReduceByWindow((a, b) => b, 3 * Second, Second));
        yield return ("windowed GroupBy count", s => s.Window(3 * Second, Second).GroupBy(i => i.Key).Select(g => new { g.Key, N = g.Count() }));
        yield return ("event-time windows", s => s
            .WithEventTime(i => DateTimeOffset.UnixEpoch.AddSeconds(i.Second), 2 * Second)
            .WindowByEventTime(i => i.Key, EventTimeWindows.Sliding(4 * Second, 2 * Second), Second, WindowOutputMode.Updates));
        yield return ("event-time sessions", s => s
            .WithEventTime(i => DateTimeOffset.UnixEpoch.AddSeconds(i.Second), Second)
            .WindowByEventTime(i => i.Key, EventTimeWindows.Session(2 * Second)));
    }

    private static void RestartAndCompare<T>(string name, Func<IDStream<T>, IDStream> query, T[][] batches, int restartAfter)
    {
        var context = new StreamingContext(Second, new StreamingOptions { TimeProvider = new FakeTimeProvider(DateTimeOffset.UnixEpoch) });
        var stream = query(context.QueueStream(new ConcurrentQueue<IEnumerable<T>>()));
        var original = new PlanBuilder().Build(stream.Expression);
        var expected = new List<Array?>();
        CheckpointData? checkpoint = null;
        for (var b = 0; b < batches.Length; b++)
        {
            expected.Add(Run(original, b, batches[b]));
            if (b + 1 == restartAfter)
            {
                checkpoint = ThroughFile(Stateful(original), b + 1);
            }
        }

        var restored = new PlanBuilder().Build(stream.Expression);
        var operators = Stateful(restored);
        Assert.NotEmpty(operators);
        var states = checkpoint!.Operators.ToDictionary(s => s.Id);
        foreach (var op in operators)
        {
            op.ReadState(states[op.StateId].State, states[op.StateId].Version);
        }

        for (var b = restartAfter; b < batches.Length; b++)
        {
            ExactEquality.AssertEqual(expected[b], Run(restored, b, batches[b]), $"{name}, batch {b + 1} after a restart after batch {restartAfter}");
        }
    }

    private static List<IStatefulOperator> Stateful(PlanNode root) =>
        [.. StateIds.Distinct(ExecutionPlan.Nodes(root).Distinct(ReferenceEqualityComparer.Instance).OfType<IStatefulOperator>())];

    /// <summary>The operators' state as a checkpoint file body holds it: written, serialized, parsed back.</summary>
    private static CheckpointData ThroughFile(List<IStatefulOperator> operators, int batch)
    {
        var data = new CheckpointData(1, Second.Ticks, batch * Second.Ticks, new QueryFingerprint("h", []), [], [], operators.Select(op => StateWriter.Capture(op.StateId, op)).ToList());
        return CheckpointData.Deserialize(data.Serialize());
    }

    private static Array? Run(PlanNode root, int index, Array records)
    {
        var time = new BatchTime((index + 1) * Second.Ticks);
        var source = ExecutionPlan.Nodes(root).OfType<SourceNode>().Single();
        var execution = new BatchExecution(time, new Dictionary<int, Array> { [source.InputId] = records }, new StreamingOptions(), CancellationToken.None);
        return execution.Evaluate(root);
    }
}
