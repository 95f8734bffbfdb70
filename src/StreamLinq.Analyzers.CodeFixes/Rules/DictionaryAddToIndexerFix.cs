using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using StreamLinq.Analyzers.Rules;

namespace StreamLinq.Analyzers.CodeFixes.Rules;

/// <summary>
/// SLQ0002: turns <c>dict.Add(key, value)</c>, which throws when a replayed batch adds the key
/// again, into <c>dict[key] = value</c>, which writes the same entry twice to the same effect.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(DictionaryAddToIndexerFix)), Shared]
public sealed class DictionaryAddToIndexerFix : CodeFixProvider
{
    /// <summary>The equivalence key of the action.</summary>
    public const string EquivalenceKey = "StreamLinq.DictionaryAddToIndexer";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.CollectionAppendInSink);

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
            if (!diagnostic.Properties.ContainsKey(CollectionAppendInSinkAnalyzer.DictionaryAddProperty) ||
                root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not InvocationExpressionSyntax
                {
                    Expression: MemberAccessExpressionSyntax member,
                    ArgumentList.Arguments: { Count: 2 } arguments,
                } call)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    "Write the entry with the indexer (a replay overwrites it)",
                    _ =>
                    {
                        var write = SyntaxFactory.AssignmentExpression(
                            SyntaxKind.SimpleAssignmentExpression,
                            SyntaxFactory.ElementAccessExpression(
                                member.Expression.WithoutTrivia(),
                                SyntaxFactory.BracketedArgumentList(SyntaxFactory.SingletonSeparatedList(arguments[0].WithoutTrivia()))),
                            arguments[1].Expression.WithoutTrivia()).WithTriviaFrom(call);
                        return Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(call, write)));
                    },
                    EquivalenceKey),
                diagnostic);
        }
    }
}
