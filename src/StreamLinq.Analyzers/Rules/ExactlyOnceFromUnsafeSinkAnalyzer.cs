using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using StreamLinq.Analyzers.Support;

namespace StreamLinq.Analyzers.Rules;

/// <summary>
/// SLQ0007: an output operation asks for <c>DeliveryGuarantee.ExactlyOnce</c> from a sink that
/// is, as far as the compiler can see, neither transactional nor idempotent. The context would
/// refuse to start; this says so while the code is typed.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ExactlyOnceFromUnsafeSinkAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The property naming what the code fix marks: <see cref="LambdaKind"/>, <see cref="MethodKind"/> or <see cref="TypeKind"/>.</summary>
    internal const string SinkKindProperty = "SinkKind";
    internal const string LambdaKind = "Lambda";
    internal const string MethodKind = "Method";
    internal const string TypeKind = "Type";

    internal static readonly DiagnosticDescriptor Rule = new(
        RuleIdentifiers.ExactlyOnceFromUnsafeSink,
        "Exactly-once delivery asked of a sink that cannot give it",
        "{0} asks for exactly-once delivery, but its sink '{1}' is neither transactional nor idempotent",
        "Reliability",
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Exactly-once delivery needs a sink that commits the batch's offsets with its results (ITransactionalSink) or that a replay leaves unchanged (IIdempotentSink, [IdempotentSink]); the context refuses to start otherwise. Make the sink idempotent and mark it after review, or ask for at-least-once delivery.",
        helpLinkUri: RuleIdentifiers.HelpLink(RuleIdentifiers.ExactlyOnceFromUnsafeSink));

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

            start.RegisterOperationAction(
                operationContext =>
                {
                    var invocation = (IInvocationOperation)operationContext.Operation;
                    if (!OutputOperations.IsOutputOperation(invocation, types) ||
                        OutputOperations.Delivery(invocation, types) != OutputOperations.ExactlyOnce ||
                        OutputOperations.SinkArgument(invocation, types) is not { } argument)
                    {
                        return;
                    }

                    var kind = UnsafeSinkKind(OutputOperations.Unwrap(argument.Value), types);
                    if (kind is null)
                    {
                        return;
                    }

                    var delivery = OutputOperations.DeliveryArgument(invocation, types);
                    var additional = delivery is null ? null : new[] { delivery.Syntax.GetLocation() };
                    operationContext.ReportDiagnostic(Diagnostic.Create(
                        Rule,
                        argument.Syntax.GetLocation(),
                        additional,
                        ImmutableDictionary<string, string?>.Empty.Add(SinkKindProperty, kind),
                        invocation.TargetMethod.Name,
                        SinkEffectAnalyzer.Show(argument.Value)));
                },
                OperationKind.Invocation);
        });
    }

    /// <summary>What to mark when the sink is visibly unsafe; null when it is safe or cannot be known here.</summary>
    private static string? UnsafeSinkKind(IOperation sink, StreamLinqTypes types)
    {
        if (sink is IDelegateCreationOperation creation)
        {
            return creation.Target switch
            {
                IAnonymousFunctionOperation lambda => types.HasIdempotentAttribute(lambda.Symbol) ? null : LambdaKind,
                IMethodReferenceOperation reference =>
                    types.HasIdempotentAttribute(reference.Method) || types.HasIdempotentAttribute(reference.Method.ContainingType) ? null : MethodKind,
                _ => null,
            };
        }

        // A delegate held in a variable may be anything; so may an interface or an abstract sink type.
        var type = sink is IObjectCreationOperation created ? created.Type : sink.Type;
        if (type is null || type.TypeKind == Microsoft.CodeAnalysis.TypeKind.Delegate ||
            type.TypeKind == Microsoft.CodeAnalysis.TypeKind.Interface || type.TypeKind == Microsoft.CodeAnalysis.TypeKind.TypeParameter ||
            (type.IsAbstract && sink is not IObjectCreationOperation))
        {
            return null;
        }

        return types.IsReplaySafeType(type) ? null : TypeKind;
    }
}
