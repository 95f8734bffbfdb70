using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using StreamLinq.Analyzers.Support;

namespace StreamLinq.Analyzers.Rules;

/// <summary>
/// SLQ0004: SQL text in a sink that INSERTs without ON CONFLICT, ON DUPLICATE KEY UPDATE or
/// WHERE NOT EXISTS (a MERGE is not an INSERT and passes). A replayed batch inserts its rows again.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SqlInsertInSinkAnalyzer : SinkEffectAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = Descriptors.SqlInsertInSink;

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

    internal override Action<IOperation, SinkBody, Action<Diagnostic>>? CreateEffectCheck(Compilation compilation) =>
        (operation, sink, report) =>
        {
            var text = SqlOf(operation);
            if (text is not null && SqlText.IsPlainInsert(text) &&
                !SqlDeleteThenInsert.IsReplacedByKey(text, SqlBefore(operation, sink)))
            {
                report(Diagnostic.Create(Rule, operation.Syntax.GetLocation(), Show(text), sink.OperationName));
            }
        };

    /// <summary>The SQL the sink spells out before <paramref name="operation"/>, in source order.</summary>
    private static System.Collections.Generic.IEnumerable<string> SqlBefore(IOperation operation, SinkBody sink) =>
        sink.Body.Descendants()
            .Where(o => o.Syntax.SyntaxTree == operation.Syntax.SyntaxTree && o.Syntax.Span.End <= operation.Syntax.SpanStart)
            .Select(SqlOf)
            .OfType<string>();

    private static string? SqlOf(IOperation operation) => SqlText.Of(operation);
}
