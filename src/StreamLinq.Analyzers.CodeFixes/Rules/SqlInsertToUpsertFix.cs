using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using StreamLinq.Analyzers.Support;

namespace StreamLinq.Analyzers.CodeFixes.Rules;

/// <summary>
/// SLQ0004: turns a string literal holding <c>INSERT INTO t (key, ...) VALUES (...)</c> into
/// <c>INSERT ... ON CONFLICT (key) DO UPDATE SET ... WHERE t.version &lt; EXCLUDED.version</c>.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SqlInsertToUpsertFix)), Shared]
public sealed class SqlInsertToUpsertFix : CodeFixProvider
{
    /// <summary>The equivalence key of the action.</summary>
    public const string EquivalenceKey = "StreamLinq.SqlInsertToUpsert";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.SqlInsertInSink);

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
            // Only a literal spelled out here can be rewritten in place; raw and interpolated strings are left to the user.
            if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not LiteralExpressionSyntax literal ||
                !literal.Token.IsKind(SyntaxKind.StringLiteralToken) ||
                SqlUpsert.Rewrite(literal.Token.ValueText) is not { } upsert)
            {
                continue;
            }

            var title = upsert.Guard is null
                ? $"Upsert on '{upsert.Key}' with ON CONFLICT DO UPDATE"
                : $"Upsert on '{upsert.Key}' with ON CONFLICT DO UPDATE, guarded by '{upsert.Guard}'";
            context.RegisterCodeFix(
                CodeAction.Create(
                    title,
                    _ =>
                    {
                        var rewritten = literal.WithToken(SyntaxEdits.StringLiteral(literal.Token, upsert.Sql));
                        return Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(literal, rewritten)));
                    },
                    EquivalenceKey),
                diagnostic);
        }
    }
}
