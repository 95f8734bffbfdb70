namespace StreamLinq;

/// <summary>
/// Declares, after review, that a sink delegate, method or class is idempotent by batch time:
/// replaying a batch through it leaves the same result as running it once. The StreamLinq
/// analyzers stay quiet for sinks so marked, and <see cref="DeliveryGuarantee.ExactlyOnce"/>
/// accepts them.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class IdempotentSinkAttribute : Attribute
{
}
