using System.Runtime.CompilerServices;
using StreamLinq.Sinks;

namespace StreamLinq;

/// <summary>
/// A stream's results as an <see cref="IObservable{T}"/> or an <see cref="IAsyncEnumerable{T}"/>:
/// each is an output operation (define it before the context starts) that hands every batch to
/// whoever is attached when the batch's outputs run.
/// </summary>
/// <remarks>
/// <para>Per batch, in batch order, on the batch runner's thread: a slow observer or consumer slows
/// the batch (its processing delay shows it), which back pressure and the batch queue then
/// propagate to the sources; nothing is dropped. An exception thrown by an observer fails the
/// batch, like any output's.</para>
/// <para>Hot: an observer or enumeration sees the batches whose outputs run after it attached.
/// When the context terminates, each completes (<c>OnCompleted</c>, the end of the enumeration),
/// or fails with the <see cref="BatchFailedException"/> that stopped the context.</para>
/// <para>At least once by default: a batch replayed after a restart is delivered again with the
/// same batch time; pass <see cref="DeliveryGuarantee.AtMostOnce"/> to never see it twice.</para>
/// </remarks>
public static class DStreamObservables
{
    /// <summary>One <c>OnNext</c> per batch, with the batch time and its records (empty batches too).</summary>
    /// <typeparam name="T">The type of the records.</typeparam>
    /// <param name="source">The stream.</param>
    /// <param name="delivery">What a crash may do to this output.</param>
    /// <returns>A hot observable of the stream's batches; <see cref="StreamBatch{T}.Records"/> is valid during <c>OnNext</c> only.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The context has already started.</exception>
    public static IObservable<StreamBatch<T>> ToObservable<T>(this IDStream<T> source, DeliveryGuarantee delivery = DeliveryGuarantee.AtLeastOnce)
    {
        var broadcast = Register(source, delivery);
        return new Observable<StreamBatch<T>>(observer => broadcast.Attach(new BatchBroadcast<T>.BatchObserver(observer)));
    }

    /// <summary>The stream's records flattened: one <c>OnNext</c> per record, batch after batch.</summary>
    /// <typeparam name="T">The type of the records.</typeparam>
    /// <param name="source">The stream.</param>
    /// <param name="delivery">What a crash may do to this output.</param>
    /// <returns>A hot observable of the stream's records.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The context has already started.</exception>
    public static IObservable<T> ToRecordObservable<T>(this IDStream<T> source, DeliveryGuarantee delivery = DeliveryGuarantee.AtLeastOnce)
    {
        var broadcast = Register(source, delivery);
        return new Observable<T>(observer => broadcast.Attach(new BatchBroadcast<T>.RecordObserver(observer)));
    }

    /// <summary>
    /// The stream's records as an asynchronous sequence: each enumeration receives the records of
    /// every batch that runs while it is enumerated, and ends when the context terminates.
    /// </summary>
    /// <typeparam name="T">The type of the records.</typeparam>
    /// <param name="source">The stream.</param>
    /// <param name="bufferedBatches">
    /// How many batches an enumeration may fall behind (each copied); when it is that far
    /// behind, the output waits for it, holding the batch up (visible as processing delay).
    /// </param>
    /// <param name="delivery">What a crash may do to this output.</param>
    /// <returns>A hot asynchronous sequence of the stream's records.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bufferedBatches"/> is below 1.</exception>
    /// <exception cref="InvalidOperationException">The context has already started.</exception>
    public static IAsyncEnumerable<T> ToAsyncEnumerable<T>(this IDStream<T> source, int bufferedBatches = 2, DeliveryGuarantee delivery = DeliveryGuarantee.AtLeastOnce)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferedBatches, 1);
        var broadcast = Register(source, delivery);
        return Enumerate(broadcast, bufferedBatches);
    }

    private static async IAsyncEnumerable<T> Enumerate<T>(BatchBroadcast<T> broadcast, int bufferedBatches, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var enumeration = new BatchBroadcast<T>.Enumeration(bufferedBatches);
        using var attached = broadcast.Attach(enumeration);
        await foreach (var batch in enumeration.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var record in batch)
            {
                yield return record;
            }
        }
    }

    private static BatchBroadcast<T> Register<T>(IDStream<T> source, DeliveryGuarantee delivery)
    {
        ArgumentNullException.ThrowIfNull(source);
        var broadcast = new BatchBroadcast<T>(source.Context);
        source.ForEachBatch(broadcast.DeliverAsync, delivery);
        return broadcast;
    }

    private sealed class Observable<TItem>(Func<IObserver<TItem>, IDisposable> subscribe) : IObservable<TItem>
    {
        public IDisposable Subscribe(IObserver<TItem> observer)
        {
            ArgumentNullException.ThrowIfNull(observer);
            return subscribe(observer);
        }
    }
}
