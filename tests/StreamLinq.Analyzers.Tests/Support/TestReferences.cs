using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace StreamLinq.Analyzers.Tests.Support;

/// <summary>
/// What the test compilations reference: the .NET reference assemblies of the running SDK (the
/// Microsoft.NETCore.App.Ref pack beside the runtime, or the runtime's own assemblies when the
/// pack is absent), so no package is downloaded while tests run, plus StreamLinq itself.
/// </summary>
internal static class TestReferences
{
    // Declared first: static fields initialise in order, and Metadata reads this one.
    private static readonly Lazy<ImmutableArray<MetadataReference>> framework = new(Load);

    /// <summary>An empty package-less set: the references come from <see cref="Metadata"/>.</summary>
    public static ReferenceAssemblies None { get; } = new("net10.0");

    /// <summary>The framework and StreamLinq.</summary>
    public static ImmutableArray<MetadataReference> Metadata { get; } = [.. Framework, MetadataReference.CreateFromFile(typeof(DStreamOutput).Assembly.Location)];

    /// <summary>The framework alone.</summary>
    public static ImmutableArray<MetadataReference> Framework => framework.Value;

    private static ImmutableArray<MetadataReference> Load()
    {
        var runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var version = Path.GetFileName(runtimeDirectory);
        var dotnetRoot = Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", ".."));
        var pack = Path.Combine(dotnetRoot, "packs", "Microsoft.NETCore.App.Ref", version, "ref", "net10.0");
        var directory = Directory.Exists(pack) ? pack : runtimeDirectory;

        return [.. Directory.EnumerateFiles(directory, "*.dll").Where(IsManagedAssembly).Select(path => MetadataReference.CreateFromFile(path))];
    }

    private static bool IsManagedAssembly(string path)
    {
        try
        {
            System.Reflection.AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}
