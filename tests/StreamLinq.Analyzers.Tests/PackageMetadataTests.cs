using System.Xml.Linq;
using StreamLinq.Analyzers.Tests.Support;

namespace StreamLinq.Analyzers.Tests;

/// <summary>
/// Package metadata is set in one place, Directory.Build.props, and every package under src takes
/// it from there (the packed nupkg's nuspec is checked by <see cref="PackagedAnalyzerTests"/>, that
/// each analyzer help link has its page by RuleCatalogTests).
/// </summary>
public class PackageMetadataTests
{
    private static IEnumerable<string> ProjectFiles() =>
        Directory.EnumerateFiles(RepositoryRoot.Path, "*.csproj", SearchOption.AllDirectories)
            .Where(p => !p.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"));

    [Fact]
    public void No_project_sets_its_own_version_licence_or_repository()
    {
        string[] central = ["Version", "VersionPrefix", "PackageVersion", "AssemblyVersion", "FileVersion", "PackageLicenseExpression", "PackageLicenseFile", "RepositoryUrl", "PackageProjectUrl", "Authors"];
        var projects = ProjectFiles().ToList();
        Assert.NotEmpty(projects);
        foreach (var project in projects)
        {
            var properties = XDocument.Load(project).Descendants().Where(e => e.Parent?.Name.LocalName == "PropertyGroup").Select(e => e.Name.LocalName);
            Assert.Empty(properties.Intersect(central).Select(p => $"{Path.GetFileName(project)} sets {p}"));
        }
    }

    [Fact]
    public void Directory_Build_props_sets_the_version_licence_repository_symbols_and_deterministic_builds()
    {
        var props = XDocument.Load(Path.Combine(RepositoryRoot.Path, "Directory.Build.props"));
        var values = props.Descendants().Where(e => e.Parent?.Name.LocalName == "PropertyGroup" && !e.HasElements)
            .GroupBy(e => e.Name.LocalName).ToDictionary(g => g.Key, g => g.First().Value);
        Assert.Matches(@"^\d+\.\d+\.\d+$", values["VersionPrefix"]);
        Assert.NotEqual("1.0.0", values["VersionPrefix"]);
        Assert.Equal("MIT", values["PackageLicenseExpression"]);
        Assert.Equal("true", values["Deterministic"]);
        Assert.Equal("true", values["ContinuousIntegrationBuild"]);
        Assert.Equal("snupkg", values["SymbolPackageFormat"]);
        Assert.Equal("true", values["IncludeSymbols"]);
        Assert.Equal("README.md", values["PackageReadmeFile"]);
        Assert.Contains(props.Descendants(), e => e.Name.LocalName == "PackageReference" && (string?)e.Attribute("Include") == "Microsoft.SourceLink.GitHub");
        Assert.StartsWith(values["StreamLinqRepositoryUrl"] + "/blob/main/docs/analyzers/", StreamLinq.Analyzers.RuleIdentifiers.HelpLinkBase, StringComparison.Ordinal);
    }
}
