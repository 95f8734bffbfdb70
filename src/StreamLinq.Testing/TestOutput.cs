namespace StreamLinq.Testing;

/// <summary>
/// A sink that keeps what an output operation received: every delivery in order (a replay
/// shows twice) and the last delivery per batch time. Attach it with
/// <see cref="DStreamOutput.WriteTo{T}"/>.
/// </summary>
/// <typeparam name="T">The type of the records.</typeparam>
/// <remarks>Thread-safe; kept in memory across restarts of a <see cref="StreamTestHarness"/> when the same instance is attached again.</remarks>
public sealed class TestOutput<T> : IBatchSink<T>
{
    private readonly Lock _gate = new();
    private readonly List<(BatchTime Time, T[] Records)> _deliveries = [];
    private readonly SortedDictionary<BatchTime, T[]> _byTime = [];

    /// <summary>Every delivery in the order the engine made it, with its batch time.</summary>
    public IReadOnlyList<(BatchTime Time, T[] Records)> Deliveries
    {
        get
        {
            lock (_gate)
            {
                return _deliveries.ToArray();
            }
        }
    }

    /// <summary>The records of each batch time the output ran at, in batch order (the last delivery of a replayed batch).</summary>
    public IReadOnlyDictionary<BatchTime, T[]> Batches
    {
        get
        {
            lock (_gate)
            {
                return new SortedDictionary<BatchTime, T[]>(_byTime);
            }
        }
    }

    /// <summary>The records of every batch time, concatenated in batch order.</summary>
    public IReadOnlyList<T> All
    {
        get
        {
            lock (_gate)
            {
                return _byTime.Values.SelectMany(b => b).ToArray();
            }
        }
    }

    /// <summary>Forgets everything received.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _deliveries.Clear();
            _byTime.Clear();
        }
    }

    /// <inheritdoc />
    public Task WriteBatchAsync(IReadOnlyList<T> batch, BatchTime time, CancellationToken cancellationToken)
    {
        var records = batch.ToArray();
        lock (_gate)
        {
            _deliveries.Add((time, records));
            _byTime[time] = records;
        }

        return Task.CompletedTask;
    }
}
