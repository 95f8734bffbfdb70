using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.CodeFixes;
using StreamLinq.Analyzers.CodeFixes.Support;
using StreamLinq.Analyzers.Support;

namespace StreamLinq.Analyzers.CodeFixes.Rules;

/// <summary>
/// SLQ0004: turns a string literal holding <c>INSERT INTO t (batch_time, id, ...) VALUES (...)</c>
/// into <c>INSERT ... ON CONFLICT (batch_time, id) DO NOTHING</c>, keyed by the batch time and a
/// record key that the user picks: one action per candidate column. A replay then lands on the rows
/// its first run wrote; rows of different batches or records never merge. No action for an insert
/// without a batch time column: guessing a key would turn an append-only table into "last row per
/// key" (see docs/analyzers/SLQ0004.md).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SqlInsertToUpsertFix)), Shared]
[ExtensionOrder(Before = nameof(AskForAtMostOnceFix))]
public sealed class SqlInsertToUpsertFix : NodeReplacementFix
{
    /// <summary>The prefix of the actions' equivalence keys; each action adds the record key it picks.</summary>
    public const string EquivalenceKey = "StreamLinq.SqlInsertToUpsert";

    /// <summary>The equivalence key of the action that keys the write by batch time and <paramref name="recordKey"/>.</summary>
    public static string EquivalenceKeyFor(string recordKey) => EquivalenceKey + "." + recordKey;

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.SqlInsertInSink);

    private protected override string Key => EquivalenceKey;

    private protected override Replacement? Propose(SyntaxNode root, Diagnostic diagnostic, SemanticModel? model, CancellationToken cancellationToken) =>
        ProposeAll(root, diagnostic, model, cancellationToken).FirstOrDefault();

    private protected override IEnumerable<Replacement> ProposeAll(SyntaxNode root, Diagnostic diagnostic, SemanticModel? model, CancellationToken cancellationToken)
    {
        // Only a literal spelled out here can be rewritten in place; raw and interpolated strings are left to the user.
        if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not LiteralExpressionSyntax literal ||
            !literal.Token.IsKind(SyntaxKind.StringLiteralToken))
        {
            yield break;
        }

        foreach (var (sql, batch, key, table) in SqlUpsert.Rewrites(literal.Token.ValueText))
        {
            yield return new Replacement(
                $"Key the insert by ({batch}, {key}): ON CONFLICT DO NOTHING (needs a unique index on {table} ({batch}, {key}))",
                literal,
                literal.WithToken(SyntaxEdits.StringLiteral(literal.Token, sql)),
                EquivalenceKeyFor(key));
        }
    }
}
