using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using StreamLinq.Analyzers.Tests.Support;

namespace StreamLinq.Analyzers.Tests.Corpus;

/// <summary>
/// Runs every rule over <see cref="IdempotentLookAlikeCases"/>, each case in a file and namespace of
/// its own: a case labelled "should warn" must get a warning, one labelled "should not" none (an
/// information such as SLQ0100 is not a warning).
/// </summary>
public class IdempotentLookAlikeCorpusTests
{
    private const string Usings = """
        global using System;
        global using System.Collections.Concurrent;
        global using System.Collections.Generic;
        global using System.Linq;
        global using System.Threading.Tasks;
        global using StreamLinq;
        """;

    public static TheoryData<string> Ids => new(IdempotentLookAlikeCases.All.Select(c => c.Id));

    [Theory]
    [MemberData(nameof(Ids))]
    public async Task Each_case_is_warned_about_exactly_when_a_replay_changes_what_it_leaves(string id)
    {
        var (_, _, shouldWarn, reason, code) = IdempotentLookAlikeCases.All.Single(c => c.Id == id);
        var compilation = CSharpCompilation.Create(
            "Case",
            [
                CSharpSyntaxTree.ParseText(Usings, new CSharpParseOptions(LanguageVersion.Latest)),
                CSharpSyntaxTree.ParseText($"namespace Case\n{{\n{code}\n}}\n", new CSharpParseOptions(LanguageVersion.Latest)),
            ],
            TestReferences.Metadata,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));

        var analyzers = typeof(RuleIdentifiers).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToImmutableArray();
        var diagnostics = await compilation.WithAnalyzers(analyzers).GetAnalyzerDiagnosticsAsync();
        Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
        var warnings = diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.Id + " " + d.GetMessage()).ToArray();
        Assert.True(shouldWarn == warnings.Length > 0, $"{id} ({reason}): {(warnings.Length == 0 ? "no warning" : string.Join("; ", warnings))}");
    }

    [Fact]
    public void Every_case_has_a_unique_id_a_reason_and_both_labels_in_each_family()
    {
        var cases = IdempotentLookAlikeCases.All.ToArray();
        Assert.Equal(cases.Length, cases.Select(c => c.Id).Distinct(StringComparer.Ordinal).Count());
        Assert.All(cases, c => Assert.False(string.IsNullOrWhiteSpace(c.Reason), c.Id));
        Assert.All(cases.GroupBy(c => c.Family), family =>
        {
            Assert.Contains(family, c => c.ShouldWarn);
            Assert.Contains(family, c => !c.ShouldWarn);
        });
    }
}
