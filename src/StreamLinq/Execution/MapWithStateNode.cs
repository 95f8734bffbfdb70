using System.Text.Json;
using StreamLinq.State;

namespace StreamLinq.Execution;

/// <summary>A key's state in <see cref="MapWithStateNode{TKey, TValue, TState, TMapped}"/> and the last batch time it received a record.</summary>
internal record struct TimedState<TState>(TState Value, long LastSeen);

/// <summary>
/// Spark's mapWithState: calls the spec's function for each record with its key's state, then
/// once for each key idle past the timeout (marked as timing out) before removing it. Its
/// snapshot is every key's state after the batch.
/// </summary>
internal sealed class MapWithStateNode<TKey, TValue, TState, TMapped>(PlanNode child, StateSpec<TKey, TValue, TState, TMapped> spec) : PlanNode, IStatefulOperator, IShapedState
{
    private readonly KeyedStateStore<TKey, TimedState<TState>> _states = new();
    private readonly KeyedState<TState> _handle = new();
    private bool _initialized;
    private KeyValuePair<TKey, TState>[] _snapshot = [];

    public override string Kind => "MapWithState";

    public override string Detail =>
        $"{(spec.InitialState is { } initial ? $"initial state for {initial.Count} keys" : "no initial state")}; {(spec.Timeout is { } timeout ? $"idle timeout {timeout}" : "no timeout")}; {Strategy}";

    public override string Strategy => "keyed state store";

    public override IReadOnlyList<PlanNode> Children => [child];

    public override Type ElementType => typeof(TMapped);

    public string StateId => field ??= StateIdFromStructure();

    public int StateVersion => 1;

    public long? StateEntries => _states.Count;

    public IEnumerable<Type> CheckpointedTypes => [typeof(TKey), typeof(TState)];

    public StateShape Shape => new(typeof(TKey), typeof(TState));

    /// <summary>Every key's state after the current batch; valid once <see cref="Compute"/> ran for it.</summary>
    public KeyValuePair<TKey, TState>[] Snapshot => _snapshot;

    public override Array? Compute(BatchExecution batch)
    {
        if (batch.Evaluate(child) is not KeyValuePair<TKey, TValue>[] input)
        {
            return null;
        }

        var now = batch.Time.Ticks;
        if (!_initialized)
        {
            foreach (var (key, state) in spec.InitialState ?? [])
            {
                _states.Set(key, new TimedState<TState>(state, now));
            }

            _initialized = true;
        }

        var output = new List<TMapped>(input.Length);
        foreach (var (key, value) in input)
        {
            var exists = _states.TryGetValue(key, out var current);
            _handle.Reset(exists, current.Value, timingOut: false);
            output.Add(spec.Function(key, value, _handle));
            if (_handle.Removed)
            {
                _states.Remove(key);
            }
            else if (_handle.Exists)
            {
                _states.Set(key, new TimedState<TState>(_handle.Get(), now));
            }
        }

        if (spec.Timeout is { } timeout)
        {
            foreach (var (key, state) in _states.Entries())
            {
                if (now - state.LastSeen > timeout.Ticks)
                {
                    _handle.Reset(exists: true, state.Value, timingOut: true);
                    output.Add(spec.Function(key, default!, _handle));
                    _states.Remove(key);
                }
            }
        }

        _snapshot = _states.Entries().Select(e => new KeyValuePair<TKey, TState>(e.Key, e.Value.Value)).ToArray();
        return output.ToArray();
    }

    public void WriteState(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteBoolean("initialized", _initialized);
        writer.WritePropertyName("states");
        _states.Write(writer);
        writer.WriteEndObject();
    }

    public void ReadState(JsonElement state, int version)
    {
        StateVersions.Check(this, version);
        _initialized = state.GetProperty("initialized").GetBoolean();
        _states.Read(state.GetProperty("states"));
        _snapshot = _states.Entries().Select(e => new KeyValuePair<TKey, TState>(e.Key, e.Value.Value)).ToArray();
    }
}

/// <summary>The state snapshot of a MapWithState: evaluates it for the batch, then reads its store.</summary>
internal sealed class StateSnapshotNode<TKey, TValue, TState, TMapped>(MapWithStateNode<TKey, TValue, TState, TMapped> mapWithState) : PlanNode
{
    public override string Kind => "StateSnapshots";

    public override string Detail => "every key's state after the batch";

    public override IReadOnlyList<PlanNode> Children => [mapWithState];

    public override Type ElementType => typeof(KeyValuePair<TKey, TState>);

    public override Array? Compute(BatchExecution batch) =>
        batch.Evaluate(mapWithState) is null ? null : mapWithState.Snapshot;
}
