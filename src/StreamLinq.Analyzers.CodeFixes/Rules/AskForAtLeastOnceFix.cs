using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.CodeFixes;
using StreamLinq.Analyzers.CodeFixes.Support;
using StreamLinq.Analyzers.Support;

namespace StreamLinq.Analyzers.CodeFixes.Rules;

/// <summary>
/// SLQ0007: asks for <c>DeliveryGuarantee.AtLeastOnce</c> instead of exactly once, which the
/// sink cannot give; the sink rules then say what in the sink a replay would repeat.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AskForAtLeastOnceFix)), Shared]
[ExtensionOrder(Before = nameof(MarkSinkIdempotentFix))]
public sealed class AskForAtLeastOnceFix : NodeReplacementFix
{
    /// <summary>The equivalence key of the action.</summary>
    public const string EquivalenceKey = "StreamLinq.AskForAtLeastOnce";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.ExactlyOnceFromUnsafeSink);

    private protected override string Key => EquivalenceKey;

    private protected override Replacement? Propose(SyntaxNode root, Diagnostic diagnostic, SemanticModel? model, CancellationToken cancellationToken)
    {
        var location = diagnostic.AdditionalLocations.FirstOrDefault();
        // A positional argument spans what its expression spans: the innermost node found is the expression.
        if (location is null || root.FindNode(location.SourceSpan, getInnermostNodeForTie: true).FirstAncestorOrSelf<ArgumentSyntax>() is not { } delivery)
        {
            return null;
        }

        var replacement = delivery.WithExpression(
            SyntaxEdits.QualifiedMember("StreamLinq.DeliveryGuarantee.AtLeastOnce").WithTriviaFrom(delivery.Expression));
        return new Replacement("Ask for at-least-once delivery", delivery, replacement);
    }
}
