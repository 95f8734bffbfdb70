using System.Threading.RateLimiting;

namespace StreamLinq.Sources;

/// <summary>
/// The store of a push source: records arrive on the producer's thread and wait here, under a
/// rate limit and a capacity bound, until the job generator seals them into a batch.
/// </summary>
internal sealed class Receiver<T> : IDisposable
{
    private readonly Lock _gate = new();
    private readonly int _capacity;
    private readonly double? _maxRate;
    private RateLimiter? _rate;
    private List<T> _current = [];
    private TaskCompletionSource _sealed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Receiver(ReceiverOptions? options)
    {
        options ??= new ReceiverOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BufferCapacity, 1, nameof(options.BufferCapacity));
        _capacity = options.BufferCapacity;
        _maxRate = options.MaxRatePerSecond;
        if (_maxRate is { } rate)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(rate, 0, nameof(options.MaxRatePerSecond));
            _rate = CreateLimiter(rate);
        }
    }

    /// <summary>The configured ceiling; back pressure may set a lower rate, never a higher one.</summary>
    public double? MaxRatePerSecond => _maxRate;

    /// <summary>Sets the rate the receiver accepts records at (back pressure), capped by the configured maximum.</summary>
    public void SetRate(double recordsPerSecond)
    {
        var rate = _maxRate is { } max ? Math.Min(recordsPerSecond, max) : recordsPerSecond;
        var previous = Interlocked.Exchange(ref _rate, CreateLimiter(rate));
        previous?.Dispose();
    }

    private static TokenBucketRateLimiter CreateLimiter(double rate)
    {
        // Refill every 10 ms so that the limit is smooth within a batch, not a burst per second.
        var perPeriod = Math.Max(1, (int)Math.Ceiling(rate / 100));
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = perPeriod,
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(10),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _current.Count;
            }
        }
    }

    /// <summary>Stores one record, waiting for the rate limit and for room in the buffer.</summary>
    public async ValueTask StoreAsync(T record, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _rate) is { } limiter)
        {
            try
            {
                using var lease = await limiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // Back pressure replaced the limiter while this record waited; the new one applies from the next record.
            }
        }

        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (_current.Count < _capacity)
                {
                    _current.Add(record);
                    return;
                }

                wait = _sealed.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stores one record from a synchronous producer (an Rx observer), blocking it while limited.</summary>
    public void Store(T record, CancellationToken cancellationToken)
    {
        var pending = StoreAsync(record, cancellationToken);
        if (!pending.IsCompletedSuccessfully)
        {
            pending.AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Takes every stored record, in arrival order.</summary>
    public T[] Seal()
    {
        T[] records;
        TaskCompletionSource released;
        lock (_gate)
        {
            records = [.. _current];
            _current = [];
            released = _sealed;
            _sealed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        released.TrySetResult();
        return records;
    }

    public void Dispose() => _rate?.Dispose();
}
