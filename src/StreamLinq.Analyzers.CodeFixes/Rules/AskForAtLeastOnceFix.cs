using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using StreamLinq.Analyzers.Support;

namespace StreamLinq.Analyzers.CodeFixes.Rules;

/// <summary>
/// SLQ0007: asks for <c>DeliveryGuarantee.AtLeastOnce</c> instead of exactly once, which the
/// sink cannot give; the sink rules then say what in the sink a replay would repeat.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AskForAtLeastOnceFix)), Shared]
public sealed class AskForAtLeastOnceFix : CodeFixProvider
{
    /// <summary>The equivalence key of the action.</summary>
    public const string EquivalenceKey = "StreamLinq.AskForAtLeastOnce";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.ExactlyOnceFromUnsafeSink);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            var location = diagnostic.AdditionalLocations.FirstOrDefault();
            if (location is null || root.FindNode(location.SourceSpan, getInnermostNodeForTie: true) is not ArgumentSyntax delivery)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    "Ask for at-least-once delivery",
                    _ =>
                    {
                        var replacement = delivery.WithExpression(
                            SyntaxEdits.QualifiedMember("StreamLinq.DeliveryGuarantee.AtLeastOnce").WithTriviaFrom(delivery.Expression));
                        return Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(delivery, replacement)));
                    },
                    EquivalenceKey),
                diagnostic);
        }
    }
}
