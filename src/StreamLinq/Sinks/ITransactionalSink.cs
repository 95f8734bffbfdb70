namespace StreamLinq;

/// <summary>
/// Marks a sink that commits a batch's results and the batch's source offsets in one
/// transaction, so that a replayed batch is recognised and skipped. With a replayable
/// source it gives <see cref="DeliveryGuarantee.ExactlyOnce"/>.
/// </summary>
public interface ITransactionalSink
{
}
