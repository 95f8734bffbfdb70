namespace StreamLinq.Sources;

/// <summary>
/// A receiver subscribed to an <see cref="IObservable{T}"/>. OnNext stores the record; on a full
/// buffer it blocks the producer, drops, or fails the source as <see cref="ReceiverOptions.OnFullBuffer"/>
/// says, and every hold or drop is reported. OnError fails every later batch with the error, so it
/// cannot go unnoticed. OnNext calls that overlap (an observable that breaks Rx's serial contract)
/// are served one at a time, not lost.
/// </summary>
internal sealed class ObservableSource<T>(IObservable<T> observable, ReceiverOptions? options) : IBatchSource<T>, IReceiverSource<T>, IObserver<T>, IRateControlledSource
{
    private readonly Receiver<T> _receiver = new(options);
    private IDisposable? _subscription;
    private CancellationToken _stopping;
    private SourceContext? _context;

    public string Name => "ObservableStream";

    public Receiver<T> Receiver => _receiver;

    public bool HasPending => _receiver.HasPending;

    public void SetRate(double recordsPerSecond) => _receiver.SetRate(recordsPerSecond);

    public TimeSpan TakeBlockedTime() => _receiver.TakeBlockedTime();

    public Task StartAsync(SourceContext context, CancellationToken cancellationToken)
    {
        _receiver.OpenLog(context, Name);
        _stopping = context.Stopping;
        _context = context;
        _subscription = observable.Subscribe(this);
        return Task.CompletedTask;
    }

    public Task StopAsync()
    {
        _subscription?.Dispose();
        _receiver.Close();
        return Task.CompletedTask;
    }

    public ISealedInput Seal(BatchTime time) => _receiver.SealInput(out _);

    public void OnNext(T value)
    {
        // Outside the try: a method with exception handling keeps its locals in memory, which the
        // per-record path would pay on every call.
        if (!_receiver.TryStoreAsOwner(value))
        {
            StoreOrReport(value);
        }
    }

    private void StoreOrReport(T value)
    {
        try
        {
            _receiver.Store(value, _stopping);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The context stopped abruptly while the producer was held back; the record was not accepted.
        }
        catch (ReceiverFullException)
        {
            // The full buffer failed the source (FullBufferPolicy.Fail): reported once, and later batches fail with it.
        }
        catch (ReceiverClosedException error)
        {
            // Pushed after (or held back across) a graceful stop: not in any batch, so say so.
            _context?.ReportError(Name, new SourceException(Name, "a value arrived after the receiver stopped and was not accepted", error));
        }
    }

    public void OnError(Exception error) =>
        _receiver.Fail(new SourceException(Name, "the observable signalled an error: " + error.Message, error));

    public void OnCompleted()
    {
    }
}
