using System.Collections.Immutable;
using System.Linq;
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
public sealed class ExactlyOnceFromUnsafeSinkAnalyzer : StreamLinqAnalyzer
{
    /// <summary>The property naming what the code fix marks: <see cref="LambdaKind"/>, <see cref="MethodKind"/> or <see cref="TypeKind"/>.</summary>
    internal const string SinkKindProperty = "SinkKind";
    internal const string LambdaKind = "Lambda";
    internal const string MethodKind = "Method";
    internal const string TypeKind = "Type";

    internal static readonly DiagnosticDescriptor Rule = Descriptors.ExactlyOnceFromUnsafeSink;

    internal static readonly DiagnosticDescriptor SourceRule = Descriptors.ExactlyOnceFromSourceThatCannotReplay;

    /// <summary>The property that marks a diagnostic about the source, which no change to the sink fixes.</summary>
    internal const string SourceProblemProperty = "SourceCannotReplay";

    /// <inheritdoc />
    /// <remarks><see cref="Rule"/> first: it names the rule; <see cref="SourceRule"/> shares its ID.</remarks>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule, SourceRule);

    /// <inheritdoc />
    private protected override void OnCompilationStart(CompilationStartAnalysisContext start, StreamLinqTypes types)
    {
        var origins = new StreamOrigins(start.Compilation);
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

                ReportSources(operationContext, invocation, origins, types);
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
    }

    /// <summary>
    /// One diagnostic per source that visibly cannot replay, on the delivery argument (what to
    /// change), naming the source: the sink diagnostic, if any, is reported on its own.
    /// </summary>
    private static void ReportSources(OperationAnalysisContext context, IInvocationOperation invocation, StreamOrigins origins, StreamLinqTypes types)
    {
        if (StreamOrigins.OutputStream(invocation) is not { } stream || origins.Sources(stream) is not { } sources)
        {
            return;
        }

        var delivery = OutputOperations.DeliveryArgument(invocation, types);
        var location = (delivery?.Syntax ?? invocation.Syntax).GetLocation();
        foreach (var source in sources.Where(s => StreamOrigins.IsReplayable(s) == false))
        {
            var remedy = source.TargetMethod.Name == "QueueStream"
                ? "TextFileStream, RedisStreams"
                : "WriteAheadLog = true in its ReceiverOptions, with checkpointing";
            context.ReportDiagnostic(Diagnostic.Create(
                SourceRule,
                location,
                delivery is null ? null : new[] { delivery.Syntax.GetLocation() },
                ImmutableDictionary<string, string?>.Empty.Add(SourceProblemProperty, "true"),
                invocation.TargetMethod.Name,
                SinkEffectAnalyzer.Show(source),
                remedy));
        }
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
