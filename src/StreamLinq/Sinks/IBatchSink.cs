namespace StreamLinq;

/// <summary>
/// A destination that receives the output of a stream one batch at a time.
/// </summary>
/// <typeparam name="T">The type of the records written.</typeparam>
/// <remarks>
/// Under <see cref="DeliveryGuarantee.AtLeastOnce"/> a batch can be written again after a
/// crash, with the same <see cref="BatchTime"/> and the same records. A sink that makes that
/// replay harmless should say so by implementing <see cref="IIdempotentSink"/>.
/// </remarks>
public interface IBatchSink<in T>
{
    /// <summary>Writes one batch.</summary>
    /// <param name="batch">The batch's records, in the order the query produced them.</param>
    /// <param name="time">The batch time; the same on a replay of this batch.</param>
    /// <param name="cancellationToken">Cancelled when the context stops without grace.</param>
    Task WriteBatchAsync(IReadOnlyList<T> batch, BatchTime time, CancellationToken cancellationToken);
}
