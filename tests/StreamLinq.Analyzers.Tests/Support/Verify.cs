using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace StreamLinq.Analyzers.Tests.Support;

/// <summary>Runs an analyzer, or an analyzer and its code fix, over a source file that uses StreamLinq.</summary>
internal static class Verify<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    /// <summary>A diagnostic of the analyzer's rule (its first descriptor), to place with <c>{|#0:...|}</c> markup and <c>WithLocation(0)</c>.</summary>
    public static DiagnosticResult Diagnostic() => new DiagnosticResult(new TAnalyzer().SupportedDiagnostics.First());

    /// <summary>A diagnostic worded by another descriptor of the same rule.</summary>
    public static DiagnosticResult Diagnostic(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor) => new(descriptor);

    /// <summary>Asserts that the analyzer reports exactly <paramref name="expected"/> in <paramref name="source"/>.</summary>
    public static Task AnalyzerAsync(string source, params DiagnosticResult[] expected) => AnalyzerAsync(source, referenceStreamLinq: true, expected);

    /// <summary>As <see cref="AnalyzerAsync(string, DiagnosticResult[])"/>, choosing whether the compilation references StreamLinq.</summary>
    public static async Task AnalyzerAsync(string source, bool referenceStreamLinq, params DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
        {
            TestCode = source,
            ReferenceAssemblies = TestReferences.None,
        };
        Configure(test.TestState, referenceStreamLinq);
        test.ExpectedDiagnostics.AddRange(expected);
        await test.RunAsync();
    }

    /// <summary>As <see cref="AnalyzerAsync(string, DiagnosticResult[])"/>, with an <c>.editorconfig</c> at the root that applies to the source.</summary>
    public static async Task AnalyzerWithConfigAsync(string source, string editorConfig, params DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
        {
            TestCode = source,
            ReferenceAssemblies = TestReferences.None,
        };
        Configure(test.TestState);
        test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*.cs]\n" + editorConfig + "\n"));
        test.ExpectedDiagnostics.AddRange(expected);
        await test.RunAsync();
    }

    /// <summary>Asserts the diagnostics and that the code fix (the one with <paramref name="equivalenceKey"/>, or the first) turns <paramref name="source"/> into <paramref name="fixedSource"/>.</summary>
    /// <remarks><paramref name="remaining"/>: the diagnostics the fixed source still has (those no action fixes).</remarks>
    public static async Task CodeFixAsync<TCodeFix>(string source, string fixedSource, DiagnosticResult[] expected, string? equivalenceKey = null, DiagnosticResult[]? remaining = null)
        where TCodeFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
        {
            TestCode = source,
            FixedCode = fixedSource,
            ReferenceAssemblies = TestReferences.None,
            CodeActionEquivalenceKey = equivalenceKey,
        };
        Configure(test.TestState);
        Configure(test.FixedState);
        test.ExpectedDiagnostics.AddRange(expected);
        test.FixedState.ExpectedDiagnostics.AddRange(remaining ?? []);
        await test.RunAsync();
    }

    private static void Configure(SolutionState state, bool referenceStreamLinq = true)
    {
        state.AdditionalReferences.AddRange(referenceStreamLinq ? TestReferences.Metadata : TestReferences.Framework);
        state.OutputKind = Microsoft.CodeAnalysis.OutputKind.DynamicallyLinkedLibrary;
    }
}
