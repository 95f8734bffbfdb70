using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.CodeFixes;
using StreamLinq.Analyzers.CodeFixes.Support;
using StreamLinq.Analyzers.Rules;

namespace StreamLinq.Analyzers.CodeFixes.Rules;

/// <summary>
/// SLQ0002: turns <c>dict.Add(key, value)</c>, which throws when a replayed batch adds the key
/// again, into <c>dict[key] = value</c>, which writes the same entry twice to the same effect.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(DictionaryAddToIndexerFix)), Shared]
[ExtensionOrder(Before = nameof(AskForAtMostOnceFix))]
public sealed class DictionaryAddToIndexerFix : NodeReplacementFix
{
    /// <summary>The equivalence key of the action.</summary>
    public const string EquivalenceKey = "StreamLinq.DictionaryAddToIndexer";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.CollectionAppendInSink);

    private protected override string Key => EquivalenceKey;

    private protected override Replacement? Propose(SyntaxNode root, Diagnostic diagnostic, SemanticModel? model, CancellationToken cancellationToken)
    {
        if (!diagnostic.Properties.ContainsKey(CollectionAppendInSinkAnalyzer.DictionaryAddProperty) ||
            root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not InvocationExpressionSyntax
            {
                Expression: MemberAccessExpressionSyntax member,
                ArgumentList.Arguments: { Count: 2 } arguments,
            } call)
        {
            return null;
        }

        var write = SyntaxFactory.AssignmentExpression(
            SyntaxKind.SimpleAssignmentExpression,
            SyntaxFactory.ElementAccessExpression(
                member.Expression.WithoutTrivia(),
                SyntaxFactory.BracketedArgumentList(SyntaxFactory.SingletonSeparatedList(arguments[0].WithoutTrivia()))),
            arguments[1].Expression.WithoutTrivia()).WithTriviaFrom(call);
        return new Replacement("Write the entry with the indexer (a replay overwrites it)", call, write);
    }
}
