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

    internal static readonly DiagnosticDescriptor Rule = new(
        RuleIdentifiers.ExactlyOnceFromUnsafeSink,
        "Exactly-once delivery asked of a sink that cannot give it",
        "{0} asks for exactly-once delivery, but its sink '{1}' is neither transactional nor idempotent",
        "Reliability",
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Exactly-once delivery needs a sink that commits the batch's offsets with its results (ITransactionalSink) or that a replay leaves unchanged (IIdempotentSink, [IdempotentSink]); the context refuses to start otherwise. Make the sink idempotent and mark it after review, or ask for at-least-once delivery.",
        helpLinkUri: RuleIdentifiers.HelpLink(RuleIdentifiers.ExactlyOnceFromUnsafeSink));

    /// <summary>
    /// The same rule when the source is what cannot replay: no mark on the sink helps, and the
    /// context refuses to start for the source whatever the sink. The descriptor shares the rule's
    /// ID, category, severity and page; only its title and message name the source.
    /// </summary>
    internal static readonly DiagnosticDescriptor SourceRule = new(
        RuleIdentifiers.ExactlyOnceFromUnsafeSink,
        "Exactly-once delivery asked of a source that cannot replay a batch",
        "{0} asks for exactly-once delivery, but its source '{1}' cannot replay a batch: marking the sink does not help; use a replayable source ({2}) or ask for at-least-once delivery",
        "Reliability",
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Exactly-once delivery replays a failed batch from its source: the source must be able to read a sealed batch again. QueueStream never can; FromObservable, FromAsyncEnumerable and SocketTextStream can only with ReceiverOptions.WriteAheadLog on (in a checkpointed context); TextFileStream and RedisStreams always can. The context refuses to start otherwise, whatever the sink.",
        helpLinkUri: RuleIdentifiers.HelpLink(RuleIdentifiers.ExactlyOnceFromUnsafeSink));

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
