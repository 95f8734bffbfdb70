namespace StreamLinq;

/// <summary>Why a receiver held its producer back (<see cref="ReceiverBlocked.Reason"/>).</summary>
public enum ReceiverBlockReason
{
    /// <summary>The buffer held <see cref="ReceiverOptions.BufferCapacity"/> records and the next seal had not taken them yet.</summary>
    BufferFull,

    /// <summary>The rate limit (<see cref="ReceiverOptions.MaxRatePerSecond"/>, or back pressure's estimate) was exhausted.</summary>
    RateLimit,
}
