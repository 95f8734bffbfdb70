namespace StreamLinq.Sources;

/// <summary>
/// A receiver that pulls an <see cref="IAsyncEnumerable{T}"/> on a background task. The pull
/// waits while the rate limit or the buffer says so; an exception from the sequence fails every
/// later batch with the error.
/// </summary>
internal sealed class AsyncEnumerableSource<T>(IAsyncEnumerable<T> sequence, ReceiverOptions? options) : IBatchSource<T>, IReceiverSource<T>, IRateControlledSource
{
    private readonly Receiver<T> _receiver = new(options);
    private ReceiverWriter<T>? _writer;
    private readonly CancellationTokenSource _stop = new();
    private Task _pump = Task.CompletedTask;

    public string Name => "AsyncEnumerableStream";

    public Receiver<T> Receiver => _receiver;

    public bool HasPending => _receiver.HasPending;

    public void SetRate(double recordsPerSecond) => _receiver.SetRate(recordsPerSecond);

    public TimeSpan TakeBlockedTime() => _receiver.TakeBlockedTime();

    public Task StartAsync(SourceContext context, CancellationToken cancellationToken)
    {
        _receiver.OpenLog(context, Name);
        _writer = _receiver.CreateWriter();
        var token = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, context.Stopping).Token;
        _pump = Task.Run(() => PumpAsync(token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        // The pump is the only producer: its own writer, no lock and no atomic per record.
        var writer = _writer!;
        try
        {
            await foreach (var record in sequence.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                await writer.StoreAsync(record, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (ReceiverFullException)
        {
            // The full buffer failed the source (FullBufferPolicy.Fail); the receiver holds that error.
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
