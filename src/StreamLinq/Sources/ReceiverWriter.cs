using System.Runtime.CompilerServices;

namespace StreamLinq.Sources;

/// <summary>
/// One producer's way into a <see cref="Receiver{T}"/>: it fills a chunk of its own with no
/// lock and no atomic instruction (a plain store and a volatile count), hands a full chunk to the
/// receiver's bounded channel, and only there can wait (for room, under
/// <see cref="ReceiverOptions.OnFullBuffer"/>) or for the rate limit. A writer serves one producer
/// at a time: calls must not overlap.
/// </summary>
internal sealed class ReceiverWriter<T>
{
    private readonly Receiver<T> _receiver;
    private ReceiverChunk<T>? _current;
    private long _nextSequence;
    private int _allowance;

    public ReceiverWriter(Receiver<T> receiver) => _receiver = receiver;

    /// <summary>Set while a producer is inside the shared writer (<see cref="Receiver{T}.StoreAsync"/>).</summary>
    internal int Busy;

    /// <summary>The chunk being filled; read by seals.</summary>
    public ReceiverChunk<T>? Current => Volatile.Read(ref _current);

    /// <summary>The store without waiting: true when the record went into the current chunk, false when the slow path is needed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryStore(T record)
    {
        var chunk = _current;
        return _receiver.AcceptsPlainStores && chunk is not null && (_receiver.Limit is null || --_allowance >= 0) && chunk.TryAppend(record);
    }

    /// <summary>Stores one record, waiting for the rate limit and, under <see cref="FullBufferPolicy.Wait"/>, for room.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ValueTask StoreAsync(T record, CancellationToken cancellationToken)
    {
        return TryStore(record) ? default : StoreSlowCoreAsync(record, cancellationToken);
    }

    /// <summary>The store after <see cref="TryStore"/> found no room, no allowance or a log to write.</summary>
    public ValueTask StoreSlowAsync(T record, CancellationToken cancellationToken) => StoreSlowCoreAsync(record, cancellationToken);

    private async ValueTask StoreSlowCoreAsync(T record, CancellationToken cancellationToken)
    {
        var receiver = _receiver;
        receiver.ThrowIfRefused();
        if (receiver.Limit is { } limit && _allowance <= 0)
        {
            var grant = limit.Grant;
            var wait = limit.Take(grant);
            _allowance = grant;
            if (wait > TimeSpan.Zero)
            {
                await receiver.HoldAsync(ReceiverBlockReason.RateLimit, grant, token => Task.Delay(wait, receiver.Clock, token), cancellationToken).ConfigureAwait(false);
            }
        }

        if (receiver.Limit is not null)
        {
            _allowance--;
        }

        while (true)
        {
            receiver.ThrowIfRefused();
            var chunk = _current;
            if (chunk is null)
            {
                Renew();
                continue;
            }

            if (chunk.IsFull)
            {
                if (chunk.Taken == chunk.Capacity)
                {
                    // A seal took every record while this producer waited: nothing to hand off.
                    Renew();
                    chunk.Release();
                    continue;
                }

                if (receiver.TryHandOff(chunk))
                {
                    Renew();
                    continue;
                }

                switch (receiver.Policy)
                {
                    case FullBufferPolicy.DropNewest:
                        receiver.CountDropped(1);
                        return;
                    case FullBufferPolicy.DropOldest:
                        if (!receiver.TryDropOldest())
                        {
                            var (start, end) = chunk.Claim(chunk.Capacity);
                            receiver.CountDropped(end - start);
                            Renew();
                            chunk.Release();
                        }

                        continue;
                    case FullBufferPolicy.Fail:
                        receiver.RefuseFull();
                        continue;
                    default:
                        // Take the seal's signal before looking again, so a seal between the look and the wait is not missed.
                        var sealedSignal = receiver.NextSeal;
                        if (chunk.Taken == chunk.Capacity)
                        {
                            continue;
                        }

                        if (receiver.TryHandOff(chunk))
                        {
                            Renew();
                            continue;
                        }

                        await receiver.HoldAsync(ReceiverBlockReason.BufferFull, 1, token => sealedSignal.WaitAsync(token), cancellationToken).ConfigureAwait(false);
                        continue;
                }
            }

            if (receiver.IsLogged)
            {
                receiver.AppendLogged(chunk, record);
            }
            else
            {
                chunk.TryAppend(record);
            }

            return;
        }
    }

    private void Renew() => Volatile.Write(ref _current, new ReceiverChunk<T>(_receiver.Pool, _receiver.ChunkLength, _nextSequence++, this));
}
