using System.Text.Json;
using StreamLinq.State;
using StreamLinq.State.Codecs;

namespace StreamLinq.Execution;

/// <summary>
/// Spark's reduceByWindow: each batch is reduced once into a partial kept while the window covers
/// it. With an inverse function the window's value is kept running (the leaving partial removed,
/// then the entering one added); without, the partials are combined in order at each slide.
/// </summary>
internal sealed class WindowedReduce<T> : PlanNode, IStatefulOperator, IWindowedOperator, IShapedState
{
    private readonly PlanNode _child;
    private readonly WindowSpec _window;
    private readonly Func<T, T, T> _func;
    private readonly Func<T, T, T>? _inverse;
    private readonly WindowBuffer<T> _partials = new();
    private readonly string _detail;
    private T _running = default!;

    /// <param name="child">The node whose batches enter the window.</param>
    /// <param name="func">Combines two values.</param>
    /// <param name="inverse">Removes a value combined before; null to combine the window's partials at each slide.</param>
    /// <param name="window">The window.</param>
    /// <param name="detail">The window and functions, as the query wrote them.</param>
    public WindowedReduce(PlanNode child, Func<T, T, T> func, Func<T, T, T>? inverse, WindowSpec window, string detail)
    {
        _child = child;
        _window = window;
        _func = func;
        _inverse = inverse;
        _detail = $"{detail}; {Strategy}";
    }

    public override string Kind => "WindowedReduce";

    public WindowSpec Window => _window;

    public override string Detail => _detail;

    public override string Strategy => _inverse is null ? "combines one partial per batch at each slide" : "incremental";

    public override IReadOnlyList<PlanNode> Children => [_child];

    public override Type ElementType => typeof(T);

    public string StateId => field ??= StateIdFromStructure();

    public int StateVersion => 1;

    public long? StateEntries => _partials.Count;

    public IEnumerable<Type> CheckpointedTypes => [typeof(T)];

    public StateShape Shape => new(null, typeof(T), _window.Length, _window.Slide);

    public override Array? Compute(BatchExecution batch)
    {
        // The leaving batches are removed before the entering one is added, so that the running
        // value only ever combines batches of one window: a checked sum of a window that fits
        // never overflows on the way.
        foreach (var left in _partials.EvictThrough(_window.LeftBy(batch.Time)))
        {
            if (_inverse is not null)
            {
                _running = _inverse(_running, left);
            }
        }

        if (_partials.Count == 0)
        {
            _running = default!;
        }

        if (batch.Evaluate(_child) is T[] { Length: > 0 } input)
        {
            var partial = input[0];
            for (var i = 1; i < input.Length; i++)
            {
                partial = _func(partial, input[i]);
            }

            var hadAny = _partials.Count > 0;
            var (replaced, previous) = _partials.Add(batch.Time, partial);
            if (_inverse is not null)
            {
                if (replaced)
                {
                    _running = _inverse(_running, previous!);
                }

                _running = hadAny ? _func(_running, partial) : partial;
            }
        }

        if (!_window.IsSlideTime(batch.Time))
        {
            return null;
        }

        if (_partials.Count == 0)
        {
            return Array.Empty<T>();
        }

        if (_inverse is not null)
        {
            return new[] { _running };
        }

        var value = default(T)!;
        var first = true;
        foreach (var partial in _partials.Partials)
        {
            value = first ? partial : _func(value, partial);
            first = false;
        }

        return new[] { value };
    }

    public void WriteState(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("batches");
        var codec = StateCodecs.For<T>();
        _partials.Write(writer, codec.Write);
        writer.WritePropertyName("running");
        codec.Write(writer, _running);
        writer.WriteEndObject();
    }

    public void ReadState(JsonElement state, int version)
    {
        StateVersions.Check(this, version);
        var codec = StateCodecs.For<T>();
        _partials.Read(state.GetProperty("batches"), codec.Read);
        _running = codec.Read(state.GetProperty("running"));
    }
}
