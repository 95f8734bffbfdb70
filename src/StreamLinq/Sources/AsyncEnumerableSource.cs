namespace StreamLinq.Sources;

/// <summary>
/// A receiver that pulls an <see cref="IAsyncEnumerable{T}"/> on a background task. The pull
/// waits while the rate limit or the buffer says so; an exception from the sequence fails every
/// later batch with the error.
/// </summary>
internal sealed class AsyncEnumerableSource<T>(IAsyncEnumerable<T> sequence, ReceiverOptions? options) : IBatchSource<T>, IReceiverSource<T>, IRateControlledSource
{
    private readonly Receiver<T> _receiver = new(options);
    private readonly CancellationTokenSource _stop = new();
    private Task _pump = Task.CompletedTask;

    public string Name => "AsyncEnumerableStream";

    public Receiver<T> Receiver => _receiver;

    public bool HasPending => _receiver.Pending > 0;

    public void SetRate(double recordsPerSecond) => _receiver.SetRate(recordsPerSecond);

    public Task StartAsync(SourceContext context, CancellationToken cancellationToken)
    {
        _receiver.OpenLog(context, Name);
        var token = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, context.Stopping).Token;
        _pump = Task.Run(() => PumpAsync(token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var record in sequence.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                await _receiver.StoreAsync(record, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception error)
        {
            _receiver.Fail(new SourceException(Name, "the sequence threw: " + error.Message, error));
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _pump.ConfigureAwait(false);
    }

    public ISealedInput Seal(BatchTime time) => _receiver.SealInput(out _);
}
