using Orleans;

namespace StreamLinq.Orleans;

/// <summary>Finds a cluster job by name, from a client or a silo.</summary>
public static class StreamJobGrainFactoryExtensions
{
    /// <summary>The job named <paramref name="name"/> (its driver grain); calling it activates the driver where Orleans places it.</summary>
    /// <param name="grainFactory">The cluster client or a grain's factory.</param>
    /// <param name="name">The name the silos registered the job under.</param>
    /// <returns>The job.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public static IStreamJob GetStreamJob(this IGrainFactory grainFactory, string name)
    {
        ArgumentNullException.ThrowIfNull(grainFactory);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return grainFactory.GetGrain<IStreamJob>(name);
    }
}
