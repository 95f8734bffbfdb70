using System.Text.RegularExpressions;

namespace StreamLinq.Connectors.Tests;

/// <summary>
/// docs/connectors.md shows code that compiles: every C# block on the page is a piece of the
/// sample connector, which this solution builds and tests.
/// </summary>
public sealed partial class ConnectorsPageTests
{
    [Fact]
    public void Every_code_block_of_the_connectors_page_is_taken_from_the_sample_connector()
    {
        var root = RepositoryRoot();
        var page = File.ReadAllText(Path.Combine(root, "docs", "connectors.md"));
        var sample = string.Concat(Directory.GetFiles(Path.Combine(root, "tests", "StreamLinq.Connectors.Sample"), "*.cs").Select(File.ReadAllText));
        var blocks = CSharpBlock().Matches(page).Select(m => m.Groups[1].Value).ToList();
        Assert.True(blocks.Count >= 4, $"the page has {blocks.Count} C# blocks");
        foreach (var block in blocks)
        {
            Assert.True(Normalise(sample).Contains(Normalise(block), StringComparison.Ordinal), $"not in the sample connector:\n{block}");
        }
    }

    private static string Normalise(string code) => WhiteSpace().Replace(code, " ").Trim();

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "StreamLinq.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("StreamLinq.sln was not found above the test's output directory.");
    }

    [GeneratedRegex(@"```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}
