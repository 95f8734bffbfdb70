using System.Threading.Channels;

namespace StreamLinq.Sinks;

/// <summary>
/// The output operation behind <see cref="DStreamObservables"/>: each batch goes to the observers
/// and enumerations attached when it runs. It completes them when the context terminates (with
/// the failure that stopped it, if one did).
/// </summary>
internal sealed class BatchBroadcast<T>(StreamingContext context)
{
    private readonly Lock _gate = new();
    private IBatchSubscriber[] _subscribers = [];
    private Exception? _terminatedWith;
    private bool _terminated;
    private int _watching;

    public async Task DeliverAsync(IReadOnlyList<T> batch, BatchTime time, CancellationToken cancellationToken)
    {
        Watch();
        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            await subscriber.DeliverAsync(batch, time, cancellationToken).ConfigureAwait(false);
        }
    }

    public IDisposable Attach(IBatchSubscriber subscriber)
    {
        Watch();
        lock (_gate)
        {
            if (!_terminated)
            {
                _subscribers = [.. _subscribers, subscriber];
                return new Detach(this, subscriber);
            }
        }

        subscriber.Complete(_terminatedWith);
        return new Detach(this, subscriber);
    }

    private void Remove(IBatchSubscriber subscriber)
    {
        lock (_gate)
        {
            _subscribers = [.. _subscribers.Where(s => !ReferenceEquals(s, subscriber))];
        }
    }

    /// <summary>Follows the context's termination once it has started (before that there is nothing to wait on).</summary>
    private void Watch()
    {
        if (Volatile.Read(ref _watching) != 0)
        {
            return;
        }

        Task termination;
        try
        {
            termination = context.AwaitTerminationAsync();
        }
        catch (InvalidOperationException)
        {
            return;
        }

        if (Interlocked.Exchange(ref _watching, 1) == 0)
        {
            termination.ContinueWith(Terminated, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private void Terminated(Task termination)
    {
        IBatchSubscriber[] subscribers;
        lock (_gate)
        {
            _terminated = true;
            _terminatedWith = termination.Exception?.InnerException;
            subscribers = _subscribers;
            _subscribers = [];
        }

        foreach (var subscriber in subscribers)
        {
            try
            {
                subscriber.Complete(_terminatedWith);
            }
            catch (Exception error)
            {
                // Nobody is left to fail (the context has terminated): logged, and the other subscribers must still complete.
                context.Telemetry.ObserverFailedOnCompletion(error);
            }
        }
    }

    private sealed class Detach(BatchBroadcast<T> broadcast, IBatchSubscriber subscriber) : IDisposable
    {
        public void Dispose() => broadcast.Remove(subscriber);
    }

    internal interface IBatchSubscriber
    {
        ValueTask DeliverAsync(IReadOnlyList<T> batch, BatchTime time, CancellationToken cancellationToken);

        void Complete(Exception? error);
    }

    /// <summary>An observer of whole batches.</summary>
    internal sealed class BatchObserver(IObserver<StreamBatch<T>> observer) : IBatchSubscriber
    {
        public ValueTask DeliverAsync(IReadOnlyList<T> batch, BatchTime time, CancellationToken cancellationToken)
        {
            observer.OnNext(new StreamBatch<T>(time, batch));
            return ValueTask.CompletedTask;
        }

        public void Complete(Exception? error)
        {
            if (error is null)
            {
                observer.OnCompleted();
            }
            else
            {
                observer.OnError(error);
            }
        }
    }

    /// <summary>An observer of records, one OnNext each.</summary>
    internal sealed class RecordObserver(IObserver<T> observer) : IBatchSubscriber
    {
        public ValueTask DeliverAsync(IReadOnlyList<T> batch, BatchTime time, CancellationToken cancellationToken)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                observer.OnNext(batch[i]);
            }

            return ValueTask.CompletedTask;
        }

        public void Complete(Exception? error)
        {
            if (error is null)
            {
                observer.OnCompleted();
            }
            else
            {
                observer.OnError(error);
            }
        }
    }

    /// <summary>One enumeration: batches copied into a bounded channel the consumer drains.</summary>
    internal sealed class Enumeration(int bufferedBatches) : IBatchSubscriber
    {
        private readonly Channel<T[]> _batches = Channel.CreateBounded<T[]>(new BoundedChannelOptions(bufferedBatches) { SingleReader = true, SingleWriter = true });

        public ChannelReader<T[]> Reader => _batches.Reader;

        public ValueTask DeliverAsync(IReadOnlyList<T> batch, BatchTime time, CancellationToken cancellationToken) =>
            batch.Count == 0 ? ValueTask.CompletedTask : _batches.Writer.WriteAsync([.. batch], cancellationToken);

        public void Complete(Exception? error) => _batches.Writer.TryComplete(error);
    }
}
