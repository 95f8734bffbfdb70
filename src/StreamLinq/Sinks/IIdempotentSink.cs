namespace StreamLinq;

/// <summary>
/// Marks a sink whose writes are idempotent by batch time: writing the same batch again
/// leaves the destination as writing it once did. Such a sink is safe under
/// <see cref="DeliveryGuarantee.AtLeastOnce"/> and, with a replayable source, gives
/// <see cref="DeliveryGuarantee.ExactlyOnce"/>.
/// </summary>
public interface IIdempotentSink
{
}
