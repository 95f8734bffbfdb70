using StreamLinq.Sources;

namespace StreamLinq.Testing;

/// <summary>
/// An input whose records the test decides: records pushed now land in the next batch sealed,
/// records given for a batch time land in the batch sealed at that time. Add it to a context
/// with <see cref="StreamingContext.AddInput{T}"/> in the factory given to a <see cref="StreamTestHarness"/>.
/// </summary>
/// <typeparam name="T">The type of the records.</typeparam>
/// <remarks>
/// <para>Per batch: each seal takes everything due by its batch time, in the order pushed; a batch
/// with nothing due is empty. Not replayable (<see cref="IsReplayable"/> is false), as a queue is
/// not: a batch sealed but not completed before a restart is lost, so a harness restarts only
/// between completed batches, where nothing is pending.</para>
/// <para>One input may serve several contexts in turn (the factory runs again on a restart): records
/// not yet sealed stay for the next context.</para>
/// </remarks>
public sealed class TestInput<T> : IBatchSource<T>
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<long, List<T>> _scheduled = [];
    private List<T> _next = [];

    /// <summary>Creates an input named <paramref name="name"/> in plans and messages.</summary>
    /// <param name="name">The name; <c>TestInput</c> when null.</param>
    public TestInput(string? name = null) => Name = name ?? "TestInput";

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public bool IsReplayable => false;

    /// <inheritdoc />
    public bool HasPending
    {
        get
        {
            lock (_gate)
            {
                return _next.Count > 0 || _scheduled.Count > 0;
            }
        }
    }

    /// <summary>Records arriving now: they land in the next batch sealed.</summary>
    /// <param name="records">The records, in arrival order.</param>
    /// <exception cref="ArgumentNullException"><paramref name="records"/> is null.</exception>
    public void Push(params IEnumerable<T> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        lock (_gate)
        {
            _next.AddRange(records);
        }
    }

    /// <summary>Records that land in the batch sealed at <paramref name="time"/> (or the first one after, if that batch is already sealed).</summary>
    /// <param name="time">The batch time.</param>
    /// <param name="records">The records, in arrival order.</param>
    /// <exception cref="ArgumentNullException"><paramref name="records"/> is null.</exception>
    public void PushAt(BatchTime time, params IEnumerable<T> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        lock (_gate)
        {
            if (!_scheduled.TryGetValue(time.Ticks, out var list))
            {
                _scheduled[time.Ticks] = list = [];
            }

            list.AddRange(records);
        }
    }

    /// <inheritdoc />
    public Task StartAsync(SourceContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public ISealedInput Seal(BatchTime time)
    {
        lock (_gate)
        {
            var batch = new List<T>();
            while (_scheduled.Count > 0)
            {
                var first = _scheduled.First();
                if (first.Key > time.Ticks)
                {
                    break;
                }

                batch.AddRange(first.Value);
                _scheduled.Remove(first.Key);
            }

            batch.AddRange(_next);
            _next = [];
            return new Sealed(batch.ToArray());
        }
    }

    private sealed class Sealed(T[] records) : ISealedInput
    {
        public ValueTask<Array> ReadAsync(CancellationToken cancellationToken) => ValueTask.FromResult<Array>(records);
    }
}
