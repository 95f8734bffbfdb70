using System.Linq.Expressions;
using System.Text.Json;
using StreamLinq.State;

namespace StreamLinq.Execution;

/// <summary>One open event-time window of a key, as checkpoints hold it.</summary>
internal sealed class Pane<T>
{
    public long Start { get; set; }

    public long End { get; set; }

    public List<T> Records { get; set; } = [];

    /// <summary>Whether the window has emitted a result (updates mode).</summary>
    public bool Fired { get; set; }

    /// <summary>Whether records arrived since the last emission.</summary>
    public bool Changed { get; set; }
}

/// <summary>
/// Event-time windows per key: admits each record into the windows the watermark has not closed,
/// sends a record admitted nowhere to the late data, advances the watermark after the batch and
/// emits the windows it passed, as the output mode says.
/// </summary>
internal sealed class EventTimeWindowNode<T, TKey> : PlanNode, IStatefulOperator
{
    private readonly PlanNode _child;
    private readonly Func<T, DateTimeOffset> _eventTime;
    private readonly Func<T, TKey> _key;
    private readonly EventTimeWindows _windows;
    private readonly long _maxOutOfOrderness;
    private readonly long _lateness;
    private readonly WindowOutputMode _mode;
    private readonly string _detail;
    private readonly KeyedStateStore<TKey, List<Pane<T>>> _panes = new();
    private long _watermark = long.MinValue;
    private long _maxEventTime = long.MinValue;
    private T[] _late = [];

    public EventTimeWindowNode(PlanNode child, LambdaExpression eventTime, TimeSpan maxOutOfOrderness, LambdaExpression key, EventTimeWindows windows, TimeSpan allowedLateness, WindowOutputMode mode)
    {
        _child = child;
        _eventTime = (Func<T, DateTimeOffset>)eventTime.Compile();
        _key = (Func<T, TKey>)key.Compile();
        _windows = windows;
        _maxOutOfOrderness = maxOutOfOrderness.Ticks;
        _lateness = allowedLateness.Ticks;
        _mode = mode;
        _detail = $"event time: {Query.PlanText.Of(eventTime)}, max out of order {maxOutOfOrderness}; key: {Query.PlanText.Of(key)}; {windows}; allowed lateness {allowedLateness}; {mode}";
    }

    public override string Kind => "EventTimeWindow";

    public override string Detail => _detail;

    public override IReadOnlyList<PlanNode> Children => [_child];

    public override Type ElementType => typeof(EventTimeWindow<TKey, T>);

    public string StateId => field ??= StateIds.For(this);

    public int StateVersion => 1;

    /// <summary>The records of the current batch that no window admitted.</summary>
    public T[] Late => _late;

    public override Array? Compute(BatchExecution batch)
    {
        if (batch.Evaluate(_child) is not T[] input)
        {
            return null;
        }

        var late = new List<T>();
        foreach (var record in input)
        {
            // Ticks since the Unix epoch, so that windows align to it.
            var time = (_eventTime(record) - DateTimeOffset.UnixEpoch).Ticks;
            var key = _key(record);
            var admitted = _windows.IsSession ? AdmitToSession(key, record, time) : AdmitToWindows(key, record, time);
            if (!admitted)
            {
                late.Add(record);
            }

            _maxEventTime = Math.Max(_maxEventTime, time);
        }

        _late = late.ToArray();
        if (_maxEventTime != long.MinValue)
        {
            _watermark = Math.Max(_watermark, _maxEventTime - _maxOutOfOrderness);
        }

        return Emit();
    }

    public void WriteState(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteNumber("watermark", _watermark);
        writer.WriteNumber("maxEventTime", _maxEventTime);
        writer.WritePropertyName("panes");
        _panes.Write(writer);
        writer.WriteEndObject();
    }

    public void ReadState(JsonElement state, int version)
    {
        StateVersions.Check(this, version);
        _watermark = state.GetProperty("watermark").GetInt64();
        _maxEventTime = state.GetProperty("maxEventTime").GetInt64();
        _panes.Read(state.GetProperty("panes"));
        _late = [];
    }

    /// <summary>Whether the watermark (as of the batch's start) has closed a window ending at <paramref name="end"/>.</summary>
    private bool Closed(long end) => _watermark != long.MinValue && end + _lateness <= _watermark;

    private bool AdmitToWindows(TKey key, T record, long time)
    {
        var slide = _windows.Slide.Ticks;
        var size = _windows.Size.Ticks;
        var lastStart = time - (((time % slide) + slide) % slide);
        var admitted = false;
        for (var start = lastStart; start > time - size; start -= slide)
        {
            if (Closed(start + size))
            {
                continue;
            }

            var pane = Panes(key).Find(p => p.Start == start);
            if (pane is null)
            {
                pane = new Pane<T> { Start = start, End = start + size };
                Panes(key).Add(pane);
            }

            pane.Records.Add(record);
            pane.Changed = true;
            admitted = true;
        }

        return admitted;
    }

    private bool AdmitToSession(TKey key, T record, long time)
    {
        // A record this late could only join sessions that are closed (their end is before it).
        if (_watermark != long.MinValue && time + _lateness <= _watermark)
        {
            return false;
        }

        var panes = Panes(key);
        var merged = new Pane<T> { Start = time, End = time + _windows.Gap.Ticks, Changed = true };
        foreach (var pane in panes.Where(p => p.Start < merged.End && time < p.End).ToList())
        {
            merged.Start = Math.Min(merged.Start, pane.Start);
            merged.End = Math.Max(merged.End, pane.End);
            merged.Records.AddRange(pane.Records);
            merged.Fired |= pane.Fired;
            panes.Remove(pane);
        }

        // Merging may have widened the session onto further sessions.
        bool more;
        do
        {
            more = false;
            foreach (var pane in panes.Where(p => p.Start < merged.End && merged.Start < p.End).ToList())
            {
                merged.Start = Math.Min(merged.Start, pane.Start);
                merged.End = Math.Max(merged.End, pane.End);
                merged.Records.AddRange(pane.Records);
                merged.Fired |= pane.Fired;
                panes.Remove(pane);
                more = true;
            }
        }
        while (more);

        merged.Records.Add(record);
        panes.Add(merged);
        return true;
    }

    private List<Pane<T>> Panes(TKey key)
    {
        if (!_panes.TryGetValue(key, out var panes))
        {
            _panes.Set(key, panes = []);
        }

        return panes;
    }

    private EventTimeWindow<TKey, T>[] Emit()
    {
        var emitted = new List<(TKey Key, Pane<T> Pane, bool Final)>();
        foreach (var (key, panes) in _panes.Entries())
        {
            foreach (var pane in panes.ToList())
            {
                var final = Closed(pane.End);
                var due = _mode == WindowOutputMode.FinalOnly
                    ? final
                    : _watermark != long.MinValue && pane.End <= _watermark && (!pane.Fired || pane.Changed);
                if (due)
                {
                    emitted.Add((key, pane, final));
                    pane.Fired = true;
                    pane.Changed = false;
                }

                if (final)
                {
                    panes.Remove(pane);
                }
            }

            if (panes.Count == 0)
            {
                _panes.Remove(key);
            }
        }

        return emitted
            .OrderBy(e => e.Pane.End)
            .ThenBy(e => e.Pane.Start)
            .Select(e => new EventTimeWindow<TKey, T>(
                e.Key,
                DateTimeOffset.UnixEpoch.AddTicks(e.Pane.Start),
                DateTimeOffset.UnixEpoch.AddTicks(e.Pane.End),
                e.Pane.Records.ToArray(),
                e.Final))
            .ToArray();
    }
}

/// <summary>The late data of event-time windows: evaluates them for the batch, then reads what they refused.</summary>
internal sealed class LateDataNode<T, TKey>(EventTimeWindowNode<T, TKey> windows) : PlanNode
{
    public override string Kind => "LateData";

    public override string Detail => "records no event-time window admitted";

    public override IReadOnlyList<PlanNode> Children => [windows];

    public override Type ElementType => typeof(T);

    public override Array? Compute(BatchExecution batch) =>
        batch.Evaluate(windows) is null ? null : windows.Late;
}
