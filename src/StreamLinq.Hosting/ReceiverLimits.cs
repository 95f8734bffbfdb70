namespace StreamLinq.Hosting;

/// <summary>The limits of a job's push-source receivers, bound from <c>StreamLinq:Jobs:&lt;name&gt;:Receiver</c>.</summary>
public sealed class ReceiverLimits
{
    /// <summary>How many records a receiver buffers before it holds its producer back; <see cref="ReceiverOptions.BufferCapacity"/>'s default when null.</summary>
    public int? BufferCapacity { get; set; }

    /// <summary>The most records per second a receiver accepts; unlimited when null.</summary>
    public double? MaxRatePerSecond { get; set; }
}
