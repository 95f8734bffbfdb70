using System.Linq.Expressions;
using System.Text.Json;
using StreamLinq.State;

namespace StreamLinq.Execution;

/// <summary>
/// Spark's updateStateByKey: each batch calls the update for every key that has values in the
/// batch or state from before, and yields every key's state afterwards.
/// </summary>
/// <typeparam name="TKey">The type of the keys.</typeparam>
/// <typeparam name="TValue">The type of the values.</typeparam>
/// <typeparam name="TStored">The state as the update sees it: a reference type or a <see cref="Nullable{T}"/>, null meaning none.</typeparam>
/// <typeparam name="TState">The state as the output carries it.</typeparam>
internal sealed class UpdateStateByKeyNode<TKey, TValue, TStored, TState> : PlanNode, IStatefulOperator, IShapedState
{
    private readonly PlanNode _child;
    private readonly Func<IReadOnlyList<TValue>, TStored, TStored> _update;
    private readonly Func<TStored, TState> _toState;
    private readonly KeyedStateStore<TKey, TStored> _states = new();
    private readonly string _detail;

    /// <param name="child">The node whose pairs update the keys' states.</param>
    /// <param name="update">The user's update: a key's values in the batch and its state before, to its state after.</param>
    /// <param name="detail">The update, as the query wrote it.</param>
    public UpdateStateByKeyNode(PlanNode child, Func<IReadOnlyList<TValue>, TStored, TStored> update, string detail)
    {
        _child = child;
        _update = update;
        var stored = Expression.Parameter(typeof(TStored), "stored");
        _toState = Expression.Lambda<Func<TStored, TState>>(
            typeof(TStored) == typeof(TState) ? stored : Expression.Convert(stored, typeof(TState)),
            stored).Compile();
        _detail = $"{detail}; {Strategy}";
    }

    public override string Kind => "UpdateStateByKey";

    public override string Detail => _detail;

    public override string Strategy => "keyed state store";

    public override IReadOnlyList<PlanNode> Children => [_child];

    public override Type ElementType => typeof(KeyValuePair<TKey, TState>);

    public string StateId => field ??= StateIdFromStructure();

    public int StateVersion => 1;

    public long? StateEntries => _states.Count;

    public IEnumerable<Type> CheckpointedTypes => [typeof(TKey), typeof(TStored)];

    public StateShape Shape => new(typeof(TKey), typeof(TStored));

    public override Array? Compute(BatchExecution batch)
    {
        if (batch.Evaluate(_child) is not KeyValuePair<TKey, TValue>[] input)
        {
            return null;
        }

        var values = new KeyedStateStore<TKey, List<TValue>>();
        var order = new List<TKey>();
        foreach (var (key, value) in input)
        {
            if (!values.TryGetValue(key, out var list))
            {
                values.Set(key, list = []);
                order.Add(key);
            }

            list.Add(value);
        }

        foreach (var (key, _) in _states.Entries())
        {
            if (!values.TryGetValue(key, out _))
            {
                order.Add(key);
            }
        }

        foreach (var key in order)
        {
            var hasValues = values.TryGetValue(key, out var list);
            _states.TryGetValue(key, out var state);
            var next = _update(hasValues ? list! : [], state!);
            if (next is null)
            {
                _states.Remove(key);
            }
            else
            {
                _states.Set(key, next);
            }
        }

        return _states.Entries().Select(e => new KeyValuePair<TKey, TState>(e.Key, _toState(e.Value))).ToArray();
    }

    public void WriteState(Utf8JsonWriter writer) => _states.Write(writer);

    public void ReadState(JsonElement state, int version)
    {
        StateVersions.Check(this, version);
        _states.Read(state);
    }
}
