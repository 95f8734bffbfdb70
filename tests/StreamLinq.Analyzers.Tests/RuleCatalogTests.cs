using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using StreamLinq.Analyzers.CodeFixes.Rules;
using StreamLinq.Analyzers.Tests.Support;

namespace StreamLinq.Analyzers.Tests;

/// <summary>Every rule has one ID constant, one analyzer, a help link to its own page, and a page that says what, why and how.</summary>
public class RuleCatalogTests
{
    private static readonly DiagnosticDescriptor[] Rules = typeof(RuleIdentifiers).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
        .SelectMany(t => ((DiagnosticAnalyzer)Activator.CreateInstance(t)!).SupportedDiagnostics)
        .ToArray();

    private static readonly string[] Identifiers = typeof(RuleIdentifiers)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.Name != nameof(RuleIdentifiers.HelpLinkBase))
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToArray();

    public static TheoryData<string> RuleIds => new(Identifiers);

    [Fact]
    public void Every_identifier_belongs_to_exactly_one_rule_and_every_rule_to_an_identifier()
    {
        // A rule may word one problem two ways (SLQ0007: the sink, or the source): one ID, its first descriptor names it.
        Assert.Equal(Identifiers.Order(), Rules.Select(r => r.Id).Distinct().Order());
        Assert.All(Rules.GroupBy(r => r.Id), g => Assert.Single(g.Select(r => (r.Category, r.DefaultSeverity, r.HelpLinkUri)).Distinct()));
        Assert.All(Identifiers, id => Assert.Matches("^SLQ[0-9]{4}$", id));
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void The_help_link_points_to_an_existing_page_that_explains_the_rule(string id)
    {
        var rule = Rules.First(r => r.Id == id);
        Assert.Equal(RuleIdentifiers.HelpLinkBase + id + ".md", rule.HelpLinkUri);
        Assert.StartsWith("docs/analyzers/", new Uri(rule.HelpLinkUri).AbsolutePath.Split("/blob/main/")[1], StringComparison.Ordinal);

        var page = Path.Combine(RepositoryRoot.Path, "docs", "analyzers", id + ".md");
        Assert.True(File.Exists(page), $"{id}'s help link has no page at docs/analyzers/{id}.md");
        var text = File.ReadAllText(page);
        Assert.StartsWith($"# {id}: {rule.Title}", text, StringComparison.Ordinal);
        Assert.Contains("## What it catches", text, StringComparison.Ordinal);
        Assert.Contains("## Why it matters under replay", text, StringComparison.Ordinal);
        Assert.Contains("## How to fix it", text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void Every_rule_is_in_the_release_tracking_file_and_the_overview(string id)
    {
        var unshipped = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "src", "StreamLinq.Analyzers", "AnalyzerReleases.Unshipped.md"));
        var overview = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "analyzers", "README.md"));
        Assert.Contains(id + " |", unshipped, StringComparison.Ordinal);
        Assert.Contains($"[{id}]({id}.md)", overview, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_code_fix_fixes_known_rules()
    {
        var fixers = typeof(MarkSinkIdempotentFix).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(CodeFixProvider).IsAssignableFrom(t))
            .Select(t => (CodeFixProvider)Activator.CreateInstance(t)!)
            .ToArray();
        Assert.NotEmpty(fixers);
        Assert.All(fixers.SelectMany(f => f.FixableDiagnosticIds), id => Assert.Contains(id, Identifiers));
    }
}
