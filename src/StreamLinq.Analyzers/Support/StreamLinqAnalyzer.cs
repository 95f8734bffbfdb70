using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace StreamLinq.Analyzers.Support;

/// <summary>
/// The header every StreamLinq rule shares: concurrent execution, no analysis of generated code,
/// and StreamLinq's well-known types resolved once per compilation — a compilation that does not
/// reference StreamLinq is skipped. A rule only registers its own actions for the compilation.
/// </summary>
public abstract class StreamLinqAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public sealed override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var types = StreamLinqTypes.TryCreate(start.Compilation);
            if (types is not null)
            {
                OnCompilationStart(start, types);
            }
        });
    }

    /// <summary>Registers the rule's actions for a compilation that references StreamLinq.</summary>
    /// <param name="start">The compilation's start context.</param>
    /// <param name="types">StreamLinq's well-known types in that compilation.</param>
    private protected abstract void OnCompilationStart(CompilationStartAnalysisContext start, StreamLinqTypes types);
}
