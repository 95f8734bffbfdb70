using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using StreamLinq.Analyzers.Support;

namespace StreamLinq.Analyzers.Rules;

/// <summary>
/// SLQ0006: the wall clock, a random source, a fresh GUID or a per-process string hash read inside a lambda of a
/// transformation, directly or in a helper method or computed property declared in source (two calls deep) (any method of <c>StreamLinq.DStreamQueryable</c>, and <c>StateSpec.Function</c>). A replayed batch would
/// compute different records than the first run wrote.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NonDeterministicTransformationAnalyzer : StreamLinqAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = Descriptors.NonDeterministicTransformation;

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

    /// <inheritdoc />
    private protected override void OnCompilationStart(CompilationStartAnalysisContext start, StreamLinqTypes types)
    {
        var sources = new NonDeterministicSources(start.Compilation);
        var context = new SinkContext(start.Compilation, start.Options, types, new WorkCounter());
        var helpers = new ConcurrentDictionary<IMethodSymbol, string>(SymbolEqualityComparer.Default);

        // A helper or a computed property the lambda calls, declared in source: what in it (or in
        // what it calls, one more level) is not deterministic; empty when nothing is.
        string HelperReads(IMethodSymbol method, int depth) => helpers.GetOrAdd(method, m =>
        {
            var body = m.DeclaringSyntaxReferences.IsEmpty || m.IsAbstract ? null : OutputOperations.SourceBody(m, context);
            foreach (var operation in body?.DescendantsAndSelf() ?? Enumerable.Empty<IOperation>())
            {
                if (sources.IsNonDeterministic(operation))
                {
                    return SinkEffectAnalyzer.Show(operation);
                }

                if (depth < 1 && Callee(operation) is { } inner && !SymbolEqualityComparer.Default.Equals(inner, m) && HelperReads(inner, depth + 1) is { Length: > 0 } found)
                {
                    return found;
                }
            }

            return string.Empty;
        });

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
                        else if (Callee(operation) is { } helper && HelperReads(helper, 0) is { Length: > 0 } read)
                        {
                            operationContext.ReportDiagnostic(Diagnostic.Create(
                                Rule, operation.Syntax.GetLocation(), SinkEffectAnalyzer.Show(operation) + "', which reads '" + read, invocation.TargetMethod.Name));
                        }
                    }
                }
            },
            OperationKind.Invocation);
    }

    /// <summary>The method an operation runs that may be declared in source: a call's target, a property's getter.</summary>
    private static IMethodSymbol? Callee(IOperation operation) => operation switch
    {
        IInvocationOperation call => call.TargetMethod.OriginalDefinition,
        IPropertyReferenceOperation property => property.Property.GetMethod?.OriginalDefinition,
        _ => null,
    };

    private static bool IsLambdaParameter(ITypeSymbol type) =>
        type.TypeKind == TypeKind.Delegate ||
        (type is INamedTypeSymbol { Name: "Expression", Arity: 1 } expression &&
         expression.ContainingNamespace.ToDisplayString() == "System.Linq.Expressions");
}
