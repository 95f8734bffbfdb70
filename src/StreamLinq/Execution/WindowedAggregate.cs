using System.Numerics;
using System.Reflection;
using System.Text.Json;
using StreamLinq.State;

namespace StreamLinq.Execution;

/// <summary>
/// <c>Window(...).GroupBy(k).Select(g =&gt; aggregates)</c> without materialising the window: each
/// batch is aggregated once, into a partial <see cref="GroupTable{TKey}"/> kept while the window
/// covers it. When every aggregate is invertible (counts, and sums or averages of integers) a
/// running table subtracts each leaving partial and adds each entering one, and keys whose count
/// drops to zero are removed; otherwise (Min, Max, floating and decimal sums, whose subtraction
/// is not exact) the kept partials are merged at each slide. Sums run in the wide accumulators of
/// <see cref="WideSum"/>, so only the window's emitted value is checked for range. On a cluster
/// reducer a batch's table arrives merged from the executors' partials
/// (<see cref="BatchExecution.PreAggregated"/>) instead of being aggregated here.
/// </summary>
internal sealed class WindowedAggregate<TIn, TKey, TOut> : PlanNode, IStatefulOperator, IWindowedOperator, IShapedState
{
    private readonly HashAggregate<TIn, TKey, TOut> _perBatch;
    private readonly WindowSpec _window;
    private readonly WindowBuffer<GroupTable<TKey>> _partials = new();
    private readonly Action<AggregateColumn, int, AggregateColumn, int>[]? _subtract;
    private GroupTable<TKey>? _running;
    private int _emptySlots;

    /// <param name="perBatch">Aggregates each batch, into the partial the window keeps.</param>
    /// <param name="window">The window.</param>
    /// <param name="countsAndSumsOnly">Whether every aggregate is a count, a sum or an average (no Min or Max): the window may subtract then, if its columns are exact.</param>
    public WindowedAggregate(HashAggregate<TIn, TKey, TOut> perBatch, WindowSpec window, bool countsAndSumsOnly)
    {
        _perBatch = perBatch;
        _window = window;
        var columns = perBatch.NewColumns();
        if (countsAndSumsOnly
            && columns.All(c => AggregateColumn.IsSum(c.GetType()) && IsExact(AggregateColumn.StorageOf(c.GetType()))))
        {
            var subtract = typeof(WindowedAggregate<TIn, TKey, TOut>).GetMethod(nameof(Subtract), BindingFlags.NonPublic | BindingFlags.Static)!;
            _subtract = columns
                .Select(c => subtract.MakeGenericMethod(AggregateColumn.StorageOf(c.GetType())).CreateDelegate<Action<AggregateColumn, int, AggregateColumn, int>>())
                .ToArray();
            _running = new GroupTable<TKey>(perBatch.NewColumns());
        }
    }

    /// <summary>Aggregates each batch: cluster executors run it alone (map-side combine) and ship its table.</summary>
    public HashAggregate<TIn, TKey, TOut> PerBatch => _perBatch;

    /// <summary>Whether the window adds and subtracts rather than merging its partials at each slide.</summary>
    public bool IsIncremental => _subtract is not null;

    public override string Kind => "WindowedAggregate";

    public WindowSpec Window => _window;

    public override string Detail => $"{_window}; {Strategy}; {_perBatch.Detail}";

    public override string Strategy => IsIncremental ? "incremental: subtracts the leaving batches, adds the entering one" : "merges one partial aggregate per batch at each slide";

    public override IReadOnlyList<PlanNode> Children => [_perBatch.Child];

    public override Type ElementType => typeof(TOut);

    public IEnumerable<Type> CheckpointedTypes => [typeof(TKey)];

    public StateShape Shape => new(typeof(TKey), null, _window.Length, _window.Slide, "aggregate columns " + string.Join(", ", _perBatch.NewColumns().Select(c => State.Codecs.TypeNames.Of(c.GetType()))));

    public string StateId => field ??= StateIdFromStructure();

    /// <summary>
    /// Version 2 keeps int sums and averages in long columns and long ones in Int128 columns
    /// (version 1 kept them in their own type); a version 1 state is read into the wider columns.
    /// </summary>
    public int StateVersion => 2;

    public long? StateEntries => _partials.Count;

    public override Array? Compute(BatchExecution batch)
    {
        var entering = batch.PreAggregatedOf(_perBatch.Child) is GroupTable<TKey> arrived ? arrived
            : batch.Records<TIn>(_perBatch.Child) is { Count: > 0 } input ? _perBatch.Accumulate(input, batch)
            : null;

        // The leaving batches are subtracted before the entering one is added, so that a running
        // sum only ever holds batches of one window.
        foreach (var left in _partials.EvictThrough(_window.LeftBy(batch.Time)))
        {
            if (_running is not null)
            {
                Remove(left);
            }
        }

        if (entering is { Count: > 0 })
        {
            var (replaced, previous) = _partials.Add(batch.Time, entering);
            if (_running is not null)
            {
                if (replaced)
                {
                    Remove(previous!);
                }

                _running.MergeFrom(entering);
            }
        }

        if (!_window.IsSlideTime(batch.Time))
        {
            return null;
        }

        if (_running is not null)
        {
            var running = _running;
            return _perBatch.Project(running, slot => Count(running, slot) > 0);
        }

        var merged = new GroupTable<TKey>(_perBatch.NewColumns());
        foreach (var partial in _partials.Partials)
        {
            merged.MergeFrom(partial);
        }

        return _perBatch.Project(merged, include: null);
    }

    public void WriteState(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("batches");
        _partials.Write(writer, GroupTableState.Write);
        if (_running is not null)
        {
            writer.WritePropertyName("running");
            GroupTableState.Write(writer, _running);
        }

        writer.WriteEndObject();
    }

    public void ReadState(JsonElement state, int version)
    {
        if (version != 1)
        {
            StateVersions.Check(this, version);
        }

        _partials.Read(state.GetProperty("batches"), partial => GroupTableState.Read<TKey>(partial, _perBatch.NewColumns()));
        if (_running is not null)
        {
            _running = GroupTableState.Read<TKey>(state.GetProperty("running"), _perBatch.NewColumns());
            _emptySlots = Enumerable.Range(0, _running.Count).Count(slot => Count(_running, slot) == 0);
        }
    }

    /// <summary>Subtracts a partial that left the window; compacts the running table when half its slots are empty.</summary>
    private void Remove(GroupTable<TKey> partial)
    {
        var running = _running!;
        for (var from = 0; from < partial.Count; from++)
        {
            var into = running.FindOrAdd(partial.Keys[from], out _);
            for (var c = 0; c < _subtract!.Length; c++)
            {
                _subtract[c](running.Columns[c], into, partial.Columns[c], from);
            }

            if (Count(running, into) == 0)
            {
                _emptySlots++;
            }
        }

        // The count of empty slots is an estimate (a key may return to its empty slot), so it is
        // checked against the table before compacting.
        if (_emptySlots > 16 && _emptySlots * 2 > running.Count)
        {
            _emptySlots = Enumerable.Range(0, running.Count).Count(slot => Count(running, slot) == 0);
        }

        if (_emptySlots > 16 && _emptySlots * 2 > running.Count)
        {
            var compact = new GroupTable<TKey>(_perBatch.NewColumns());
            for (var slot = 0; slot < running.Count; slot++)
            {
                if (Count(running, slot) > 0)
                {
                    var into = compact.FindOrAdd(running.Keys[slot], out var isNew);
                    for (var c = 0; c < running.Columns.Length; c++)
                    {
                        compact.Columns[c].Merge(into, running.Columns[c], slot, isNew);
                    }
                }
            }

            _running = compact;
            _emptySlots = 0;
        }
    }

    /// <summary>The group's record count: column 0 of every hash aggregation's table.</summary>
    private static long Count(GroupTable<TKey> table, int slot) => ((SumColumn<long>)table.Columns[0]).Values[slot];

    /// <summary>
    /// Whether subtracting a leaving partial gives back the sum of the others: integers only.
    /// Floating point rounds; so does decimal past 28 digits (1e28 + 1e-7 - 1e28 is 0), and it
    /// keeps the larger scale (3.00 - 1.00 is 2.00 where the window's 2.0 sums to 2.0).
    /// </summary>
    private static bool IsExact(Type storage) => storage == typeof(long) || storage == typeof(Int128) || storage == typeof(int);

    private static void Subtract<T>(AggregateColumn into, int slot, AggregateColumn from, int fromSlot)
        where T : INumber<T>
    {
        var values = ((SumColumn<T>)into).Values;
        values[slot] = checked(values[slot] - ((SumColumn<T>)from).Values[fromSlot]);
    }
}
