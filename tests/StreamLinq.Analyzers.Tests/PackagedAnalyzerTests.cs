using System.Diagnostics;
using System.IO.Compression;
using StreamLinq.Analyzers.Tests.Support;

namespace StreamLinq.Analyzers.Tests;

/// <summary>
/// The analyzers reach users through the StreamLinq package: pack it into a temporary folder,
/// build a project that references it from there, and read the warnings in <c>dotnet build</c>'s
/// output. Slow (a pack and a build), so it is one test.
/// </summary>
public class PackagedAnalyzerTests
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    [Trait("Category", "Package")]
    public async Task A_project_consuming_the_packed_nupkg_shows_the_warnings_in_dotnet_build()
    {
        var work = Directory.CreateTempSubdirectory("streamlinq-analyzers-");
        try
        {
            var feed = Path.Combine(work.FullName, "feed");
            // A version of its own, so no earlier package in a NuGet cache can stand in for this one.
            var version = "0.0.0-analyzers." + Guid.NewGuid().ToString("N");
            var pack = await RunDotnetAsync(
                work.FullName,
                "pack", Path.Combine(RepositoryRoot.Path, "src", "StreamLinq", "StreamLinq.csproj"),
                "-c", "Release", "-o", feed, "-p:PackageVersion=" + version,
                // Its own bin and obj: the repository's build outputs stay as the test run left them.
                "--artifacts-path", Path.Combine(work.FullName, "artifacts"));
            Assert.True(pack.ExitCode == 0, "dotnet pack failed:\n" + pack.Output);

            var package = Path.Combine(feed, $"StreamLinq.{version}.nupkg");
            using (var archive = ZipFile.OpenRead(package))
            {
                var entries = archive.Entries.Select(e => e.FullName).ToArray();
                Assert.Contains("analyzers/dotnet/cs/StreamLinq.Analyzers.dll", entries);
                Assert.Contains("analyzers/dotnet/cs/StreamLinq.Analyzers.CodeFixes.dll", entries);
                Assert.Contains("README.md", entries);

                // The metadata a user checks before trusting a package (Directory.Build.props).
                using var reader = new StreamReader(archive.GetEntry("StreamLinq.nuspec")!.Open());
                var nuspec = System.Xml.Linq.XDocument.Parse(await reader.ReadToEndAsync()).Root!.Elements().First(e => e.Name.LocalName == "metadata");
                string Field(string name) => nuspec.Elements().First(e => e.Name.LocalName == name).Value;
                var repository = nuspec.Elements().First(e => e.Name.LocalName == "repository");
                Assert.Equal(version, Field("version"));
                Assert.Equal("MIT", Field("license"));
                Assert.Equal("expression", nuspec.Elements().First(e => e.Name.LocalName == "license").Attribute("type")!.Value);
                Assert.Equal("README.md", Field("readme"));
                Assert.StartsWith("https://github.com/", Field("projectUrl"), StringComparison.Ordinal);
                Assert.Equal(Field("projectUrl"), repository.Attribute("url")!.Value);
                Assert.Contains("streaming", Field("tags").Split(' '));

                // The analyzers' help links point into the same repository's docs.
                Assert.StartsWith(Field("projectUrl") + "/blob/main/docs/analyzers/", StreamLinq.Analyzers.RuleIdentifiers.HelpLinkBase, StringComparison.Ordinal);
            }

            Assert.True(File.Exists(Path.Combine(feed, $"StreamLinq.{version}.snupkg")), "no symbol package beside the package");

            var consumer = Directory.CreateDirectory(Path.Combine(work.FullName, "consumer")).FullName;
            await File.WriteAllTextAsync(Path.Combine(consumer, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="streamlinq-local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            await File.WriteAllTextAsync(Path.Combine(consumer, "Consumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <Nullable>enable</Nullable>
                    <RestorePackagesPath>packages</RestorePackagesPath>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="StreamLinq" Version="{version}" />
                  </ItemGroup>
                </Project>
                """);
            File.Copy(Path.Combine(RepositoryRoot.Path, "samples", "AnalyzerWarnings", "Program.cs"), Path.Combine(consumer, "Program.cs"));

            var build = await RunDotnetAsync(consumer, "build", "Consumer.csproj");
            Assert.True(build.ExitCode == 0, "dotnet build of the consumer failed:\n" + build.Output);
            foreach (var id in new[] { "SLQ0001", "SLQ0002", "SLQ0003", "SLQ0004", "SLQ0006", "SLQ0007", "SLQ0008", "SLQ0009", "SLQ0010" })
            {
                Assert.True(build.Output.Contains("warning " + id, StringComparison.Ordinal), $"no {id} warning in:\n{build.Output}");
            }

            // Neither dropped (built against a newer compiler than the SDK's) nor crashing.
            Assert.DoesNotContain("CS9057", build.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("AD0001", build.Output, StringComparison.Ordinal);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunDotnetAsync(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // No build servers left running after the test, and no MSBuild settings inherited from the test run's own build.
        start.ArgumentList.Add("-nodeReuse:false");
        start.ArgumentList.Add("-p:UseSharedCompilation=false");
        foreach (var inherited in new[] { "MSBUILD_EXE_PATH", "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly" })
        {
            start.Environment.Remove(inherited);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish in {CommandTimeout}.");
        }

        return (process.ExitCode, await output + await error);
    }
}
