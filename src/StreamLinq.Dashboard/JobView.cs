namespace StreamLinq.Dashboard;

/// <summary>What the dashboard keeps of one job: its latest batches and the last value of each gauge.</summary>
internal sealed class JobView(string name, TimeSpan interval, string plan, int retained)
{
    private readonly Lock _gate = new();
    private readonly Queue<BatchRow> _batches = new();
    private readonly Dictionary<(string Instrument, string Part), double> _gauges = [];
    private long _checkpoints;
    private double _lastCheckpointSeconds;
    private double _lastCheckpointBytes;
    private long _completed;
    private long _failed;

    // The interval in force: it moves with SetBatchIntervalAsync and adaptive batching.
    private double _intervalMs = interval.TotalMilliseconds;

    public string Name => name;

    public BatchRow Completed(BatchInfo batch)
    {
        var row = BatchRow.From(batch, interval);
        lock (_gate)
        {
            _batches.Enqueue(row);
            while (_batches.Count > retained)
            {
                _batches.Dequeue();
            }

            _completed++;
            _intervalMs = row.IntervalMs;
            if (batch.Failure is not null)
            {
                _failed++;
            }
        }

        return row;
    }

    public void Measured(string instrument, string part, double value)
    {
        lock (_gate)
        {
            switch (instrument)
            {
                case "streamlinq.checkpoint.duration":
                    _checkpoints++;
                    _lastCheckpointSeconds = value;
                    break;
                case "streamlinq.checkpoint.size":
                    _lastCheckpointBytes = value;
                    break;
                case "streamlinq.input.rate" or "streamlinq.batches.queued" or "streamlinq.receiver.buffer.usage"
                    or "streamlinq.receiver.rate_limit" or "streamlinq.state.entries" or "streamlinq.watermark.lag":
                    _gauges[(instrument, part)] = value;
                    break;
            }
        }
    }

    public object Gauges()
    {
        lock (_gate)
        {
            List<object> Parts(string instrument) =>
                [.. _gauges.Where(g => g.Key.Instrument == instrument).Select(g => new { name = g.Key.Part, value = g.Value })];

            var receivers = _gauges.Keys.Where(k => k.Instrument is "streamlinq.receiver.buffer.usage" or "streamlinq.receiver.rate_limit")
                .Select(k => k.Part).Distinct()
                .Select(source => new
                {
                    source,
                    bufferUsage = _gauges.GetValueOrDefault(("streamlinq.receiver.buffer.usage", source)),
                    rateLimit = _gauges.TryGetValue(("streamlinq.receiver.rate_limit", source), out var rate) ? rate : (double?)null,
                })
                .ToList();
            return new
            {
                job = name,
                queued = _gauges.GetValueOrDefault(("streamlinq.batches.queued", "")),
                inputRates = Parts("streamlinq.input.rate"),
                receivers,
                state = Parts("streamlinq.state.entries"),
                watermarkLag = Parts("streamlinq.watermark.lag"),
                checkpoints = new { written = _checkpoints, lastSeconds = _lastCheckpointSeconds, lastBytes = _lastCheckpointBytes },
                completed = _completed,
                failed = _failed,
            };
        }
    }

    public object Snapshot()
    {
        lock (_gate)
        {
            return new
            {
                job = name,
                batchIntervalMs = _intervalMs,
                plan,
                batches = _batches.ToList(),
                gauges = Gauges(),
            };
        }
    }
}
