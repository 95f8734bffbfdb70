using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using StreamLinq.Analyzers.Tests.Support;

namespace StreamLinq.Analyzers.Tests.Corpus;

/// <summary>
/// Compiles the whole corpus once, each case in a file and a namespace of its own beside the library
/// stubs, runs every StreamLinq analyzer over it and tells, per case, which rules fired.
/// </summary>
internal static class CorpusCompilation
{
    public static IReadOnlyList<CorpusCase> Cases { get; } = typeof(LabelledCorpus)
        .GetProperties(BindingFlags.Public | BindingFlags.Static)
        .Where(p => p.PropertyType == typeof(IEnumerable<CorpusCase>))
        .OrderBy(p => p.Name, StringComparer.Ordinal)
        .SelectMany(p => (IEnumerable<CorpusCase>)p.GetValue(null)!)
        .ToArray();

    public static ImmutableArray<DiagnosticAnalyzer> Analyzers { get; } = [.. typeof(RuleIdentifiers).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
        .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)];

    private static readonly Lazy<Task<Outcome>> outcome = new(RunAsync);

    /// <summary>Per case, the IDs reported in its file; and the compiler's errors, which must be none.</summary>
    public static Task<Outcome> OutcomeAsync() => outcome.Value;

    /// <summary>What flags a case: the warnings (and errors) reported in its file; an information is a note, not a flag.</summary>
    public static IEnumerable<Diagnostic> Flags(Outcome outcome, string id) =>
        outcome.Reported[id].Where(d => d.Severity >= DiagnosticSeverity.Warning);

    public static CSharpCompilation Compile(IEnumerable<(string Path, string Text)> files) =>
        CSharpCompilation.Create(
            "Corpus",
            files.Select(f => CSharpSyntaxTree.ParseText(f.Text, new CSharpParseOptions(LanguageVersion.Latest), f.Path)),
            TestReferences.Metadata,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    private static async Task<Outcome> RunAsync()
    {
        var files = new List<(string Path, string Text)> { ("GlobalUsings.cs", LibraryStubs.GlobalUsings), ("Stubs.cs", LibraryStubs.Source) };
        // A namespace per case, numbered: a name taken from the case (say "redis-...") would be a hint to the rules.
        files.AddRange(Cases.Select((c, i) => (c.Id + ".cs", $"namespace Corpus.Case{i}\n{{\n{c.Code}\n}}\n")));
        var compilation = Compile(files);

        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToArray();
        var diagnostics = await compilation.WithAnalyzers(Analyzers).GetAnalyzerDiagnosticsAsync();
        var reported = Cases.ToDictionary(c => c.Id, _ => new List<Diagnostic>());
        foreach (var diagnostic in diagnostics)
        {
            var path = diagnostic.Location.SourceTree?.FilePath;
            if (path is not null && reported.TryGetValue(Path.GetFileNameWithoutExtension(path), out var list))
            {
                list.Add(diagnostic);
            }
        }

        var crashes = diagnostics.Where(d => d.Id == "AD0001").Select(d => d.ToString()).ToArray();
        return new Outcome(errors, crashes, reported.ToDictionary(p => p.Key, p => (IReadOnlyList<Diagnostic>)p.Value));
    }

    public sealed record Outcome(string[] CompilerErrors, string[] AnalyzerCrashes, IReadOnlyDictionary<string, IReadOnlyList<Diagnostic>> Reported);
}
