using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace StreamLinq.Analyzers.Support;

/// <summary>The framework members whose value differs from one run (or one process) to the next.</summary>
internal sealed class NonDeterministicSources
{
    private readonly INamedTypeSymbol? dateTime;
    private readonly INamedTypeSymbol? dateTimeOffset;
    private readonly INamedTypeSymbol? environment;
    private readonly INamedTypeSymbol? guid;
    private readonly INamedTypeSymbol? random;
    private readonly INamedTypeSymbol? stopwatch;
    private readonly INamedTypeSymbol? timeProvider;
    private readonly INamedTypeSymbol? randomNumberGenerator;
    private readonly INamedTypeSymbol? hashCode;

    public NonDeterministicSources(Compilation compilation)
    {
        dateTime = compilation.GetSpecialType(SpecialType.System_DateTime);
        dateTimeOffset = compilation.GetTypeByMetadataName("System.DateTimeOffset");
        environment = compilation.GetTypeByMetadataName("System.Environment");
        guid = compilation.GetTypeByMetadataName("System.Guid");
        random = compilation.GetTypeByMetadataName("System.Random");
        stopwatch = compilation.GetTypeByMetadataName("System.Diagnostics.Stopwatch");
        timeProvider = compilation.GetTypeByMetadataName("System.TimeProvider");
        randomNumberGenerator = compilation.GetTypeByMetadataName("System.Security.Cryptography.RandomNumberGenerator");
        hashCode = compilation.GetTypeByMetadataName("System.HashCode");
    }

    public bool IsNonDeterministic(IOperation operation)
    {
        switch (operation)
        {
            case IPropertyReferenceOperation property:
                var owner = property.Property.ContainingType;
                var name = property.Property.Name;
                return (Is(owner, dateTime) && name is "Now" or "UtcNow" or "Today") ||
                       (Is(owner, dateTimeOffset) && name is "Now" or "UtcNow") ||
                       (Is(owner, environment) && name is "TickCount" or "TickCount64");
            case IInvocationOperation call:
                var type = call.TargetMethod.ContainingType;
                var method = call.TargetMethod.Name;
                return (Is(type, guid) && method is "NewGuid" or "CreateVersion7") ||
                       (Is(type, stopwatch) && method is "GetTimestamp" or "StartNew") ||
                       (Is(type, timeProvider) && method is "GetUtcNow" or "GetLocalNow" or "GetTimestamp") ||
                       Is(type, randomNumberGenerator) ||
                       // string hashes are randomised per process: a replay after a restart computes others.
                       (method == "GetHashCode" && call.Arguments.Length == 0 && call.Instance?.Type?.SpecialType == SpecialType.System_String) ||
                       (Is(type, hashCode) && method is "Combine" or "ToHashCode") ||
                       (type?.Name == "Path" && type.ContainingNamespace?.ToDisplayString() == "System.IO" && method is "GetRandomFileName" or "GetTempFileName") ||
                       // Identifier generators of other libraries (Ulid, MongoDB's ObjectId, MassTransit's NewId).
                       (call.TargetMethod.IsStatic && method is "NewUlid" or "GenerateNewId" or "NewSequentialGuid" or "NextGuid") ||
                       // new Random(seed).Next() is reproducible; Random.Shared and a shared instance are not.
                       (Is(type, random) && !call.TargetMethod.IsStatic && call.Instance is not IObjectCreationOperation);
            case IObjectCreationOperation creation:
                return Is(creation.Type, random) && creation.Arguments.Length == 0;
            default:
                return false;
        }
    }

    private static bool Is(ITypeSymbol? type, INamedTypeSymbol? expected) =>
        expected is not null && SymbolEqualityComparer.Default.Equals(type, expected);
}
