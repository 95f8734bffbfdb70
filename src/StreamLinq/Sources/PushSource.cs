namespace StreamLinq.Sources;

/// <summary>
/// The base of a push source: a connector whose records arrive on their own (a socket, a
/// subscription, a device) derives from it, runs its receive loop in <see cref="ReceiveAsync"/>,
/// and hands each record to <see cref="StoreAsync"/>. Each batch holds the records stored during
/// its interval, in the order they were stored.
/// </summary>
/// <typeparam name="T">The type of the records.</typeparam>
/// <remarks>
/// <para>Per batch: the records stored since the previous batch was sealed. Across batches the
/// source keeps only the records not sealed yet, in a buffer bounded by
/// <see cref="ReceiverOptions.BufferCapacity"/>. <see cref="StoreAsync"/> waits while the
/// rate limit (<see cref="ReceiverOptions.MaxRatePerSecond"/>, lowered by back pressure) says so,
/// and on a full buffer waits, drops or fails as <see cref="ReceiverOptions.OnFullBuffer"/> says, so
/// a fast producer is slowed down (reported to <see cref="IStreamingListener.OnReceiverBlocked"/>),
/// never buffered without bound. Calls to <see cref="StoreAsync"/> from one loop take no lock
/// (overlapping calls are served one at a time).</para>
/// <para>Replay: with <see cref="ReceiverOptions.WriteAheadLog"/> every stored record is logged
/// (and checkpointed with the context) before <see cref="StoreAsync"/> returns, so a record
/// acknowledged to its producer after that survives a crash and its batch is replayed exactly;
/// without it the source is not replayable (at most once after a crash). Acknowledge to the
/// producer (a broker's ack) only after <see cref="StoreAsync"/> has returned.</para>
/// <para>Errors: <see cref="ReportError"/> for what the source recovers from (a reconnection);
/// an exception escaping <see cref="ReceiveAsync"/> fails the source for good: the records
/// already stored still make their batches, and every later batch fails with the error.</para>
/// </remarks>
public abstract class PushSource<T> : IBatchSource<T>, IReceiverSource<T>, IRateControlledSource
{
    private readonly Receiver<T> _receiver;
    private readonly CancellationTokenSource _stop = new();
    private SourceContext? _context;
    private Task _receiving = Task.CompletedTask;

    /// <summary>Creates the source.</summary>
    /// <param name="name">A name for messages and plans, e.g. <c>Mqtt(sensors/#)</c>.</param>
    /// <param name="options">Rate limit, buffer bound and write-ahead log; defaults when null.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    protected PushSource(string name, ReceiverOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        _receiver = new Receiver<T>(options);
    }

    /// <summary>A name for messages and plans.</summary>
    public string Name { get; }

    Receiver<T> IReceiverSource<T>.Receiver => _receiver;

    bool IBatchSource.HasPending => _receiver.HasPending;

    void IRateControlledSource.SetRate(double recordsPerSecond) => _receiver.SetRate(recordsPerSecond);

    TimeSpan IRateControlledSource.TakeBlockedTime() => _receiver.TakeBlockedTime();

    Task IBatchSource.StartAsync(SourceContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        _receiver.OpenLog(context, Name);
        var token = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, context.Stopping).Token;
        _receiving = Task.Run(() => RunAsync(token), CancellationToken.None);
        return Task.CompletedTask;
    }

    async Task IBatchSource.StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _receiving.ConfigureAwait(false);
        _receiver.Close();
    }

    ISealedInput IBatchSource.Seal(BatchTime time) => _receiver.SealInput(out _);

    /// <summary>
    /// The receive loop: runs on a background task from when the context starts until
    /// <paramref name="cancellationToken"/> is cancelled (the context stops), storing each record
    /// with <see cref="StoreAsync"/>. Returning early means the input has ended; throwing fails
    /// the source (see the class remarks). Open and close connections here.
    /// </summary>
    /// <param name="cancellationToken">Cancelled when the context stops.</param>
    /// <returns>A task that completes when the loop ends.</returns>
    protected abstract Task ReceiveAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Stores one record for the next batch, waiting while the rate limit or the full buffer
    /// says so; with a write-ahead log, the record is durable when this returns.
    /// </summary>
    /// <param name="record">The record.</param>
    /// <param name="cancellationToken">Ends the wait; pass the one <see cref="ReceiveAsync"/> got.</param>
    /// <returns>A task that completes once the record is stored.</returns>
    /// <exception cref="OperationCanceledException">The wait was cancelled; the record was not stored.</exception>
    /// <exception cref="InvalidOperationException">The source has stopped; the record was not stored.</exception>
    protected ValueTask StoreAsync(T record, CancellationToken cancellationToken) => _receiver.StoreAsync(record, cancellationToken);

    /// <summary>
    /// Reports an error the source recovers from by itself (a reconnection, a record it could not
    /// decode) to <see cref="IStreamingListener.OnSourceError"/>; no batch fails.
    /// </summary>
    /// <param name="error">What went wrong.</param>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The source has not started.</exception>
    protected void ReportError(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var context = _context ?? throw new InvalidOperationException($"{Name}: errors can be reported only once the source has started.");
        context.ReportError(Name, error);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ReceiveAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception error)
        {
            _receiver.Fail(error as SourceException ?? new SourceException(Name, "the receive loop threw: " + error.Message, error));
        }
    }
}
