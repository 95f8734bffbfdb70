using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Orleans.GrainDirectory;
using Orleans.Metadata;
using Orleans.Runtime;
using Orleans.Runtime.GrainDirectory;

namespace StreamLinq.Orleans;

/// <summary>
/// Finds the drivers' grain directory, Orleans' distributed one, on every silo configuration.
/// <see cref="StreamLinqSiloBuilderExtensions.AddStreamLinq"/> registers it under
/// <see cref="Name"/>, but Orleans registers the distributed directory once per silo, under the
/// first name asked for: on a silo that had made it the default already (a user's
/// <c>AddDistributedGrainDirectory()</c> before <c>AddStreamLinq</c>, every <c>TestCluster</c>
/// silo) the name is never registered and Orleans would fail every call to a driver with "Could
/// not resolve grain directory". There the drivers take the default, the distributed directory itself.
/// </summary>
internal sealed class DriverDirectoryResolver(IServiceProvider services) : IGrainDirectoryResolver
{
    /// <summary>The name the drivers' grain class gives its directory.</summary>
    public const string Name = "streamlinq-drivers";

    public bool TryResolveGrainDirectory(GrainType grainType, GrainProperties? properties, [NotNullWhen(true)] out IGrainDirectory? grainDirectory)
    {
        grainDirectory = null;
        if (properties is null
            || !properties.Properties.TryGetValue(WellKnownGrainTypeProperties.GrainDirectory, out var directory)
            || directory != Name)
        {
            return false;
        }

        grainDirectory = services.GetKeyedService<IGrainDirectory>(Name)
            ?? services.GetKeyedService<IGrainDirectory>(GrainDirectoryAttribute.DEFAULT_GRAIN_DIRECTORY);
        return grainDirectory is not null;
    }
}
