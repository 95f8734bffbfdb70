using System;
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
/// class that is not, and hand each operation in them to the rule.
/// </summary>
public abstract class SinkEffectAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public sealed override void Initialize(AnalysisContext context)
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

            var check = CreateEffectCheck(start.Compilation);
            if (check is null)
            {
                return;
            }

            start.RegisterOperationAction(
                operationContext =>
                {
                    var invocation = (IInvocationOperation)operationContext.Operation;
                    if (!OutputOperations.IsOutputOperation(invocation, types) ||
                        OutputOperations.Delivery(invocation, types) is not (OutputOperations.AtLeastOnce or OutputOperations.ExactlyOnce))
                    {
                        return;
                    }

                    foreach (var sink in OutputOperations.UnsafeSinkBodies(invocation, types))
                    {
                        foreach (var operation in sink.Body.DescendantsAndSelf())
                        {
                            check(operation, sink, operationContext.ReportDiagnostic);
                        }
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

                    var sink = new SinkBody(block, scope, method.ContainingType.Name);
                    foreach (var operation in block.DescendantsAndSelf())
                    {
                        check(operation, sink, blockContext.ReportDiagnostic);
                    }
                }
            });
        });
    }

    /// <summary>
    /// The rule's test for one operation of a sink body, or null when the compilation lacks
    /// what the rule looks for (a library it matches by symbol).
    /// </summary>
    internal abstract Action<IOperation, SinkBody, Action<Diagnostic>>? CreateEffectCheck(Compilation compilation);

    private static readonly Regex Whitespace = new(@"\s+", RegexOptions.CultureInvariant);

    /// <summary>The source text of an operation on one line, shortened for a message.</summary>
    internal static string Show(IOperation operation) => Show(operation.Syntax.ToString());

    internal static string Show(string text)
    {
        text = Whitespace.Replace(text.Trim(), " ");
        return text.Length <= 80 ? text : text.Substring(0, 77) + "...";
    }
}
