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
internal sealed class EventTimeWindowNode<T, TKey> : PlanNode, IStatefulOperator, IShapedState
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

    /// <param name="child">The node whose records enter the windows.</param>
    /// <param name="eventTime">A record's event time.</param>
    /// <param name="maxOutOfOrderness">How far the watermark trails the latest event time.</param>
    /// <param name="key">A record's key.</param>
    /// <param name="windows">The windows' shape.</param>
    /// <param name="allowedLateness">How long after the watermark passed its end a window still admits records.</param>
    /// <param name="mode">When windows emit.</param>
    /// <param name="detail">The windows, as the query wrote them.</param>
    public EventTimeWindowNode(PlanNode child, Func<T, DateTimeOffset> eventTime, TimeSpan maxOutOfOrderness, Func<T, TKey> key, EventTimeWindows windows, TimeSpan allowedLateness, WindowOutputMode mode, string detail)
    {
        _child = child;
        _eventTime = eventTime;
        _key = key;
        _windows = windows;
        _maxOutOfOrderness = maxOutOfOrderness.Ticks;
        _lateness = allowedLateness.Ticks;
        _mode = mode;
        _detail = detail;
    }

    public override string Kind => "EventTimeWindow";

    public override string Detail => _detail;

    public override IReadOnlyList<PlanNode> Children => [_child];

    public override Type ElementType => typeof(EventTimeWindow<TKey, T>);

    public IEnumerable<Type> CheckpointedTypes => [typeof(TKey), typeof(T)];

    public StateShape Shape => new(typeof(TKey), typeof(T), Layout: $"{_windows}; allowed lateness {TimeSpan.FromTicks(_lateness)}");

    public string StateId => field ??= StateIdFromStructure();

    public int StateVersion => 1;

    public long? StateEntries => _panes.Count;

    public long? Watermark => _watermark == long.MinValue ? null : _watermark;

    /// <summary>The records of the current batch that no window admitted.</summary>
    public T[] Late => _late;

    public override Array? Compute(BatchExecution batch)
    {
        if (batch.Evaluate(_child) is not T[] input)
        {
            return null;
        }

        // Ticks since the Unix epoch, so that windows align to it.
        var times = new long[input.Length];
        var keys = new TKey[input.Length];
        var admitted = new bool[input.Length];
        for (var i = 0; i < input.Length; i++)
        {
            times[i] = (_eventTime(input[i]) - DateTimeOffset.UnixEpoch).Ticks;
            keys[i] = _key(input[i]);
        }

        if (_windows.IsSession)
        {
            AdmitToSessions(input, times, keys, admitted);
        }
        else
        {
            for (var i = 0; i < input.Length; i++)
            {
                admitted[i] = AdmitToWindows(keys[i], input[i], times[i]);
            }
        }

        var late = new List<T>();
        for (var i = 0; i < input.Length; i++)
        {
            if (!admitted[i])
            {
                late.Add(input[i]);
            }

            _maxEventTime = Math.Max(_maxEventTime, times[i]);
        }

        _late = late.ToArray();
        if (_maxEventTime != long.MinValue)
        {
            _watermark = Math.Max(_watermark, Saturating(_maxEventTime, -_maxOutOfOrderness));
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
    private bool Closed(long end) => _watermark != long.MinValue && Saturating(end, _lateness) <= _watermark;

    /// <summary><paramref name="a"/> + <paramref name="b"/>, held at the ends of the range: a lateness or window of years must not wrap around.</summary>
    private static long Saturating(long a, long b)
    {
        var sum = unchecked(a + b);
        return ((a ^ sum) & (b ^ sum)) < 0 ? (a < 0 ? long.MinValue : long.MaxValue) : sum;
    }

    private bool AdmitToWindows(TKey key, T record, long time)
    {
        var slide = _windows.Slide.Ticks;
        var size = _windows.Size.Ticks;
        var offset = time % slide;
        var lastStart = time - (offset < 0 ? offset + slide : offset);
        var admitted = false;
        var floor = Saturating(time, -size);
        for (var start = lastStart; start > floor; start = Saturating(start, -slide))
        {
            var end = Saturating(start, size);
            if (Closed(end))
            {
                continue;
            }

            var pane = Panes(key).Find(p => p.Start == start);
            if (pane is null)
            {
                pane = new Pane<T> { Start = start, End = end };
                Panes(key).Add(pane);
            }

            pane.Records.Add(record);
            pane.Changed = true;
            admitted = true;
        }

        return admitted;
    }

    /// <summary>
    /// Admits a batch's records into sessions, one key at a time and all of the key's records at
    /// once, so that the outcome does not depend on their order within the batch.
    /// </summary>
    private void AdmitToSessions(T[] input, long[] times, TKey[] keys, bool[] admitted)
    {
        var byKey = new KeyedStateStore<TKey, List<int>>();
        for (var i = 0; i < input.Length; i++)
        {
            if (!byKey.TryGetValue(keys[i], out var indices))
            {
                byKey.Set(keys[i], indices = []);
            }

            indices.Add(i);
        }

        foreach (var (key, indices) in byKey.Entries())
        {
            AdmitToSessions(key, indices, input, times, admitted);
        }
    }

    /// <summary>
    /// Sessionizes the key's open sessions together with each record's own span
    /// <c>[time, time + gap)</c>. A record joins the session its cluster forms (bridging
    /// open sessions and the batch's other records), and is late only when that whole session
    /// is closed: its end plus the lateness is behind the watermark. An open session is never
    /// closed by this test (closed ones were emitted and dropped), so a record touching one is
    /// always admitted, however old its own time.
    /// </summary>
    private void AdmitToSessions(TKey key, List<int> indices, T[] input, long[] times, bool[] admitted)
    {
        var gap = _windows.Gap.Ticks;
        var panes = _panes.TryGetValue(key, out var open) ? open : [];
        var spans = new List<(long Start, long End, Pane<T>? Pane, int Record)>(panes.Count + indices.Count);
        spans.AddRange(panes.Select(p => (p.Start, p.End, (Pane<T>?)p, -1)));
        spans.AddRange(indices.Select(i => (times[i], Saturating(times[i], gap), (Pane<T>?)null, i)));
        spans.Sort((a, b) => a.Start.CompareTo(b.Start));

        var first = 0;
        while (first < spans.Count)
        {
            // Spans are half-open: one starting exactly at the cluster's end starts a new session.
            var end = spans[first].End;
            var last = first;
            while (last + 1 < spans.Count && spans[last + 1].Start < end)
            {
                end = Math.Max(end, spans[++last].End);
            }

            var cluster = spans.GetRange(first, last - first + 1);
            first = last + 1;
            var records = cluster.Where(s => s.Pane is null).Select(s => s.Record).Order().ToList();
            if (records.Count == 0 || Closed(end))
            {
                continue;
            }

            var merged = new Pane<T> { Start = cluster[0].Start, End = end, Changed = true };
            foreach (var pane in cluster.Select(s => s.Pane).OfType<Pane<T>>())
            {
                merged.Records.AddRange(pane.Records);
                merged.Fired |= pane.Fired;
                panes.Remove(pane);
            }

            foreach (var record in records)
            {
                merged.Records.Add(input[record]);
                admitted[record] = true;
            }

            panes.Add(merged);
        }

        if (panes.Count > 0)
        {
            _panes.Set(key, panes);
        }
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
