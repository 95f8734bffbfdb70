using System.Text.Json;
using StreamLinq.State;

namespace StreamLinq.Execution;

/// <summary>A key's partial reduction and how many records it combines.</summary>
internal record struct KeyedPartial<TValue>(TValue Value, long Count);

/// <summary>
/// Spark's reduceByKeyAndWindow: each batch is reduced by key once, into a partial store kept
/// while the window covers the batch. With an inverse the window's per-key values are kept
/// running, and a key whose record count drops to zero is removed (a key failing the filter
/// only leaves the output: removing its value would break later subtractions);
/// without one, the partials are combined key by key, in batch order, at each slide.
/// </summary>
internal sealed class WindowedReduceByKey<TKey, TValue> : PlanNode, IStatefulOperator, IWindowedOperator, IShapedState
{
    private readonly PlanNode _child;
    private readonly WindowSpec _window;
    private readonly Func<TValue, TValue, TValue> _func;
    private readonly Func<TValue, TValue, TValue>? _inverse;
    private readonly Func<KeyValuePair<TKey, TValue>, bool>? _filter;
    private readonly WindowBuffer<KeyedStateStore<TKey, KeyedPartial<TValue>>> _partials = new();
    private readonly KeyedStateStore<TKey, KeyedPartial<TValue>> _running = new();
    private readonly string _detail;

    /// <param name="child">The node whose pairs enter the window.</param>
    /// <param name="func">Combines two values of a key.</param>
    /// <param name="inverse">Removes a value combined before; null to combine each key's partials at each slide.</param>
    /// <param name="filter">Which keys' running values to keep; null keeps every key.</param>
    /// <param name="window">The window.</param>
    /// <param name="detail">The window and functions, as the query wrote them.</param>
    public WindowedReduceByKey(PlanNode child, Func<TValue, TValue, TValue> func, Func<TValue, TValue, TValue>? inverse, Func<KeyValuePair<TKey, TValue>, bool>? filter, WindowSpec window, string detail)
    {
        _child = child;
        _window = window;
        _func = func;
        _inverse = inverse;
        _filter = filter;
        _detail = $"{detail}; {Strategy}";
    }

    public override string Kind => "WindowedReduceByKey";

    public WindowSpec Window => _window;

    public override string Detail => _detail;

    public override string Strategy => _inverse is null ? "combines one partial per batch and key at each slide" : "incremental";

    public override IReadOnlyList<PlanNode> Children => [_child];

    public override Type ElementType => typeof(KeyValuePair<TKey, TValue>);

    public string StateId => field ??= StateIdFromStructure();

    public int StateVersion => 1;

    public long? StateEntries => _running.Count;

    public IEnumerable<Type> CheckpointedTypes => [typeof(TKey), typeof(TValue)];

    public StateShape Shape => new(typeof(TKey), typeof(TValue), _window.Length, _window.Slide);

    public override Array? Compute(BatchExecution batch)
    {
        // The leaving batches are removed before the entering one is added, so that a key's
        // running value only ever combines batches of one window: a checked sum of a window that
        // fits never overflows on the way.
        foreach (var left in _partials.EvictThrough(_window.LeftBy(batch.Time)))
        {
            if (_inverse is not null)
            {
                Remove(left);
            }
        }

        if (batch.Evaluate(_child) is KeyValuePair<TKey, TValue>[] { Length: > 0 } input)
        {
            var partial = new KeyedStateStore<TKey, KeyedPartial<TValue>>();
            foreach (var (key, value) in input)
            {
                partial.Set(key, partial.TryGetValue(key, out var sofar) ? new(_func(sofar.Value, value), sofar.Count + 1) : new(value, 1));
            }

            var (replaced, previous) = _partials.Add(batch.Time, partial);
            if (_inverse is not null)
            {
                if (replaced)
                {
                    Remove(previous!);
                }

                Combine(_running, partial);
            }
        }

        if (!_window.IsSlideTime(batch.Time))
        {
            return null;
        }

        KeyedStateStore<TKey, KeyedPartial<TValue>> window;
        if (_inverse is not null)
        {
            window = _running;
        }
        else
        {
            window = new KeyedStateStore<TKey, KeyedPartial<TValue>>();
            foreach (var partial in _partials.Partials)
            {
                Combine(window, partial);
            }
        }

        var result = new List<KeyValuePair<TKey, TValue>>(window.Count);
        foreach (var (key, partial) in window.Entries())
        {
            var pair = new KeyValuePair<TKey, TValue>(key, partial.Value);
            if (_filter is null || _filter(pair))
            {
                result.Add(pair);
            }
        }

        return result.ToArray();
    }

    public void WriteState(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("batches");
        _partials.Write(writer, (w, partial) => partial.Write(w));
        writer.WritePropertyName("running");
        _running.Write(writer);
        writer.WriteEndObject();
    }

    public void ReadState(JsonElement state, int version)
    {
        StateVersions.Check(this, version);
        _partials.Read(state.GetProperty("batches"), element =>
        {
            var partial = new KeyedStateStore<TKey, KeyedPartial<TValue>>();
            partial.Read(element);
            return partial;
        });
        _running.Read(state.GetProperty("running"));
    }

    private void Combine(KeyedStateStore<TKey, KeyedPartial<TValue>> into, KeyedStateStore<TKey, KeyedPartial<TValue>> partial)
    {
        foreach (var (key, add) in partial.Entries())
        {
            into.Set(key, into.TryGetValue(key, out var sofar) ? new(_func(sofar.Value, add.Value), sofar.Count + add.Count) : add);
        }
    }

    private void Remove(KeyedStateStore<TKey, KeyedPartial<TValue>> partial)
    {
        foreach (var (key, leaving) in partial.Entries())
        {
            if (!_running.TryGetValue(key, out var sofar))
            {
                continue;
            }

            var count = sofar.Count - leaving.Count;
            if (count <= 0)
            {
                _running.Remove(key);
            }
            else
            {
                _running.Set(key, new(_inverse!(sofar.Value, leaving.Value), count));
            }
        }
    }
}
