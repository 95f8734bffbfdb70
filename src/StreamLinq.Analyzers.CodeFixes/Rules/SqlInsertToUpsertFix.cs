using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.CodeFixes;
using StreamLinq.Analyzers.CodeFixes.Support;
using StreamLinq.Analyzers.Support;

namespace StreamLinq.Analyzers.CodeFixes.Rules;

/// <summary>
/// SLQ0004: turns a string literal holding <c>INSERT INTO t (key, ...) VALUES (...)</c> into
/// <c>INSERT ... ON CONFLICT (key) DO UPDATE SET ... WHERE t.version &lt; EXCLUDED.version</c>.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SqlInsertToUpsertFix)), Shared]
public sealed class SqlInsertToUpsertFix : NodeReplacementFix
{
    /// <summary>The equivalence key of the action.</summary>
    public const string EquivalenceKey = "StreamLinq.SqlInsertToUpsert";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.SqlInsertInSink);

    private protected override string Key => EquivalenceKey;

    private protected override Replacement? Propose(SyntaxNode root, Diagnostic diagnostic, SemanticModel? model, CancellationToken cancellationToken)
    {
        // Only a literal spelled out here can be rewritten in place; raw and interpolated strings are left to the user.
        if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not LiteralExpressionSyntax literal ||
            !literal.Token.IsKind(SyntaxKind.StringLiteralToken) ||
            SqlUpsert.Rewrite(literal.Token.ValueText) is not { } upsert)
        {
            return null;
        }

        var title = upsert.Guard is null
            ? $"Upsert on '{upsert.Key}' with ON CONFLICT DO UPDATE"
            : $"Upsert on '{upsert.Key}' with ON CONFLICT DO UPDATE, guarded by '{upsert.Guard}'";
        return new Replacement(title, literal, literal.WithToken(SyntaxEdits.StringLiteral(literal.Token, upsert.Sql)));
    }
}
