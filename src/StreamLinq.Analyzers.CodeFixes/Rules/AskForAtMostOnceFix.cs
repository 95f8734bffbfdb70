using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using StreamLinq.Analyzers.Support;

namespace StreamLinq.Analyzers.CodeFixes.Rules;

/// <summary>
/// The sink rules (SLQ0001 to SLQ0005): asks the output operation whose lambda holds the effect
/// for <c>DeliveryGuarantee.AtMostOnce</c>. The engine then marks the batch done before the sink
/// runs, so a replay skips it: the effect never repeats, and a batch that fails or crashes midway
/// is lost instead. For sinks where losing a batch is acceptable (metrics, previews, alerts).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AskForAtMostOnceFix)), Shared]
[ExtensionOrder(Before = nameof(MarkSinkIdempotentFix))]
public sealed class AskForAtMostOnceFix : CodeFixProvider
{
    /// <summary>The equivalence key of the action.</summary>
    public const string EquivalenceKey = "StreamLinq.AskForAtMostOnce";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(
        RuleIdentifiers.CounterUpdateInSink,
        RuleIdentifiers.CollectionAppendInSink,
        RuleIdentifiers.FileAppendInSink,
        RuleIdentifiers.SqlInsertInSink,
        RuleIdentifiers.RedisIncrementInSink);

    /// <summary>Losing batches is a decision about one output: no fix-all.</summary>
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return;
        }

        var output = model.Compilation.GetTypeByMetadataName("StreamLinq.DStreamOutput");
        var delivery = model.Compilation.GetTypeByMetadataName("StreamLinq.DeliveryGuarantee");
        foreach (var diagnostic in context.Diagnostics)
        {
            // The output call whose sink lambda holds the effect; a sink class or a method group is wired elsewhere.
            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            var call = node.AncestorsAndSelf().OfType<AnonymousFunctionExpressionSyntax>()
                .Select(lambda => lambda.Parent is ArgumentSyntax { Parent: ArgumentListSyntax { Parent: InvocationExpressionSyntax invocation } } ? invocation : null)
                .FirstOrDefault(invocation => invocation is not null &&
                    model.GetOperation(invocation, context.CancellationToken) is IInvocationOperation operation &&
                    SymbolEqualityComparer.Default.Equals(operation.TargetMethod.ContainingType, output));
            if (call is null || model.GetOperation(call, context.CancellationToken) is not IInvocationOperation target ||
                target.Arguments.FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.Parameter?.Type, delivery)) is not { } argument)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    "Ask for at-most-once delivery (a replay skips the batch: nothing repeats, a batch that fails midway is lost)",
                    _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(call, Rewrite(call, argument)))),
                    EquivalenceKey),
                diagnostic);
        }
    }

    private static InvocationExpressionSyntax Rewrite(InvocationExpressionSyntax call, IArgumentOperation delivery)
    {
        var atMostOnce = SyntaxEdits.QualifiedMember("StreamLinq.DeliveryGuarantee.AtMostOnce");
        if (delivery.ArgumentKind != ArgumentKind.DefaultValue && delivery.Syntax is ArgumentSyntax written)
        {
            return call.ReplaceNode(written, written.WithExpression(atMostOnce.WithTriviaFrom(written.Expression)));
        }

        var added = SyntaxFactory.Argument(atMostOnce).WithNameColon(SyntaxFactory.NameColon(delivery.Parameter!.Name));
        return call.WithArgumentList(call.ArgumentList.AddArguments(added));
    }
}
