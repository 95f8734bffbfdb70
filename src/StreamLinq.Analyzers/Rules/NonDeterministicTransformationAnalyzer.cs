using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using StreamLinq.Analyzers.Support;

namespace StreamLinq.Analyzers.Rules;

/// <summary>
/// SLQ0006: the wall clock, a random source or a fresh GUID read inside a lambda of a
/// transformation (any method of <c>StreamLinq.DStreamQueryable</c>, and <c>StateSpec.Function</c>). A replayed batch would
/// compute different records than the first run wrote.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NonDeterministicTransformationAnalyzer : DiagnosticAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = new(
        RuleIdentifiers.NonDeterministicTransformation,
        "Transformation is not deterministic",
        "'{0}' in a {1} lambda is not deterministic: a replayed batch computes different records; derive the value from the record or the batch time",
        "Reliability",
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A replayed batch must compute the records its first run computed, or an idempotent sink writes different values and a window's checkpoint disagrees with its output. DateTime.Now, Random, Guid.NewGuid and Environment.TickCount differ on every run. Take the time from the record (event time) or the batch time, seed randomness from the record, derive identifiers from the record's key.",
        helpLinkUri: RuleIdentifiers.HelpLink(RuleIdentifiers.NonDeterministicTransformation));

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var types = StreamLinqTypes.TryCreate(start.Compilation);
            if (types is null)
            {
                return;
            }

            var sources = new NonDeterministicSources(start.Compilation);

            // StateSpec.Function builds the state-update function MapWithState runs on every record.
            var stateSpec = start.Compilation.GetTypeByMetadataName("StreamLinq.StateSpec");
            start.RegisterOperationAction(
                operationContext =>
                {
                    var invocation = (IInvocationOperation)operationContext.Operation;
                    var owner = invocation.TargetMethod.ContainingType?.OriginalDefinition;
                    if (!SymbolEqualityComparer.Default.Equals(owner, types.DStreamQueryable) &&
                        (stateSpec is null || !SymbolEqualityComparer.Default.Equals(owner, stateSpec)))
                    {
                        return;
                    }

                    foreach (var argument in invocation.Arguments)
                    {
                        // The lambdas: expression trees of the fused operators and delegates of Transform.
                        // Other arguments (a joined stream, a count) are not run per record: their own calls are checked on their own.
                        if (argument.Parameter is null || argument.ArgumentKind == ArgumentKind.DefaultValue || !IsLambdaParameter(argument.Parameter.Type))
                        {
                            continue;
                        }

                        foreach (var operation in argument.Value.DescendantsAndSelf())
                        {
                            if (sources.IsNonDeterministic(operation))
                            {
                                operationContext.ReportDiagnostic(Diagnostic.Create(
                                    Rule, operation.Syntax.GetLocation(), SinkEffectAnalyzer.Show(operation), invocation.TargetMethod.Name));
                            }
                        }
                    }
                },
                OperationKind.Invocation);
        });
    }

    private static bool IsLambdaParameter(ITypeSymbol type) =>
        type.TypeKind == TypeKind.Delegate ||
        (type is INamedTypeSymbol { Name: "Expression", Arity: 1 } expression &&
         expression.ContainingNamespace.ToDisplayString() == "System.Linq.Expressions");
}
