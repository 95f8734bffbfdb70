using System;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace StreamLinq.Analyzers.Support;

/// <summary>
/// The common walk of the effect rules: find every output operation that may replay a batch
/// (at least once or exactly once, stated in the code or by default), take the bodies of its
/// sink delegate unless it is marked replay-safe, and the <c>WriteBatchAsync</c> of every sink
/// class that is not, and hand each operation in them to the rule — and each operation of the
/// helpers they call that are declared in source, two calls deep, reported at the sink's call.
/// </summary>
public abstract class SinkEffectAnalyzer : StreamLinqAnalyzer
{
    /// <summary>How many calls away from the sink a helper is still read.</summary>
    internal const int HelperDepth = 2;

    /// <summary>The operations this analyzer examined, over every compilation it saw.</summary>
    internal WorkCounter Work { get; } = new();

    /// <inheritdoc />
    private protected override void OnCompilationStart(CompilationStartAnalysisContext start, StreamLinqTypes types)
    {
        var check = CreateEffectCheck(start.Compilation);
        if (check is null)
        {
            return;
        }

        var sinkContext = new SinkContext(start.Compilation, start.Options, types, Work);
        start.RegisterOperationAction(
            operationContext =>
            {
                var invocation = (IInvocationOperation)operationContext.Operation;
                if (!OutputOperations.IsOutputOperation(invocation, types) ||
                    OutputOperations.Delivery(invocation, types) is not (OutputOperations.AtLeastOnce or OutputOperations.ExactlyOnce))
                {
                    return;
                }

                foreach (var sink in OutputOperations.UnsafeSinkBodies(invocation, sinkContext))
                {
                    Walk(sink, check, operationContext.ReportDiagnostic);
                }
            },
            OperationKind.Invocation);

        // A sink class is written for whatever delivery its user picks, at least once by
        // default: IBatchSink's contract asks it to be replay-safe or to say it is not.
        start.RegisterOperationBlockAction(blockContext =>
        {
            if (blockContext.OwningSymbol is not IMethodSymbol method || !OutputOperations.IsUnsafeSinkWrite(method, types))
            {
                return;
            }

            foreach (var block in blockContext.OperationBlocks)
            {
                var scope = method.DeclaringSyntaxReferences.Select(r => r.GetSyntax(blockContext.CancellationToken))
                    .FirstOrDefault(s => s.SyntaxTree == block.Syntax.SyntaxTree && s.Span.Contains(block.Syntax.Span));
                if (scope is null)
                {
                    continue;
                }

                Walk(new SinkBody(block, scope, method.ContainingType.Name, sinkContext), check, blockContext.ReportDiagnostic);
            }
        });
    }

    /// <summary>
    /// The rule's test for one operation of a sink body, or null when the compilation lacks
    /// what the rule looks for (a library it matches by symbol).
    /// </summary>
    internal abstract Action<IOperation, SinkBody, Action<Diagnostic>>? CreateEffectCheck(Compilation compilation);

    private static void Walk(SinkBody sink, Action<IOperation, SinkBody, Action<Diagnostic>> check, Action<Diagnostic> report)
    {
        foreach (var operation in sink.Body.DescendantsAndSelf())
        {
            sink.Context.CountWork();
            check(operation, sink, report);
            if (operation is IInvocationOperation or IObjectCreationOperation && sink.Depth < HelperDepth && Helper(operation, sink) is { } helper)
            {
                Walk(helper, check, diagnostic => report(Relocate(diagnostic, operation)));
            }
        }
    }

    /// <summary>
    /// The body of a method (or constructor) the sink calls, when it is declared in source and is not itself marked
    /// replay-safe; null for library methods, abstract members, local functions of the body (read
    /// with it) and a method already being read further up.
    /// </summary>
    private static SinkBody? Helper(IOperation call, SinkBody sink)
    {
        var method = (call is IInvocationOperation invocation ? invocation.TargetMethod : ((IObjectCreationOperation)call).Constructor)?.OriginalDefinition;
        var types = sink.Context.Types;
        if (method is null || method.IsAbstract || method.IsExtern || method.DeclaringSyntaxReferences.IsEmpty ||
            (call is IInvocationOperation output && OutputOperations.IsOutputOperation(output, types)) ||
            types.HasIdempotentAttribute(method) || types.IsReplaySafeType(method.ContainingType) ||
            (method.MethodKind == MethodKind.LocalFunction && method.DeclaringSyntaxReferences.Any(r => r.SyntaxTree == sink.Scope.SyntaxTree && sink.Scope.Span.Contains(r.Span))) ||
            sink.IsWalking(method))
        {
            return null;
        }

        var body = OutputOperations.SourceBody(method, sink.Context);
        return body is null ? null : sink.Enter(body, body.Syntax, call, method);
    }

    /// <summary>A diagnostic found in a helper, moved to the sink's call of it, whose text names the call.</summary>
    private static Diagnostic Relocate(Diagnostic diagnostic, IOperation call)
    {
        var descriptor = diagnostic.Descriptor;
        return Diagnostic.Create(
            descriptor.Id,
            descriptor.Category,
            diagnostic.GetMessage(CultureInfo.InvariantCulture) + " (through '" + Show(call) + "')",
            diagnostic.Severity,
            diagnostic.DefaultSeverity,
            descriptor.IsEnabledByDefault,
            diagnostic.WarningLevel,
            descriptor.Title,
            descriptor.Description,
            descriptor.HelpLinkUri,
            call.Syntax.GetLocation(),
            additionalLocations: null,
            customTags: descriptor.CustomTags,
            // The code fixes rewrite what the properties describe at the diagnostic's location: not here.
            properties: ImmutableDictionary<string, string?>.Empty);
    }

    private static readonly Regex Whitespace = new(@"\s+", RegexOptions.CultureInvariant);

    /// <summary>The source text of an operation on one line, shortened for a message.</summary>
    internal static string Show(IOperation operation) => Show(operation.Syntax.ToString());

    internal static string Show(string text)
    {
        text = Whitespace.Replace(text.Trim(), " ");
        return text.Length <= 80 ? text : text.Substring(0, 77) + "...";
    }
}
