using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using StreamLinq.Analyzers.Support;

namespace StreamLinq.Analyzers.Rules;

/// <summary>
/// SLQ0005: a StackExchange.Redis command in a sink that changes a key relative to its current
/// value (increments, pushes, appends). A replayed batch applies it again.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class RedisIncrementInSinkAnalyzer : SinkEffectAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = new(
        RuleIdentifiers.RedisIncrementInSink,
        "Sink increments or pushes onto a Redis key",
        "'{0}' in a {1} sink changes a Redis key relative to its current value: a replayed batch applies it again",
        "Reliability",
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Under at-least-once delivery a batch can be handed to its sink again after a crash. INCRBY, HINCRBY, ZINCRBY, LPUSH/RPUSH, APPEND and XADD then apply twice. Write absolute values keyed by the batch time (SET, HSET, a hash field per batch), or mark the sink [IdempotentSink] after review.",
        helpLinkUri: RuleIdentifiers.HelpLink(RuleIdentifiers.RedisIncrementInSink));

    private static readonly ImmutableHashSet<string> RelativeCommands = ImmutableHashSet.Create(
        "StringIncrement", "StringDecrement", "StringAppend",
        "HashIncrement", "HashDecrement",
        "SortedSetIncrement", "SortedSetDecrement",
        "ListLeftPush", "ListRightPush", "ListInsertAfter", "ListInsertBefore",
        "StreamAdd");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

    internal override Action<IOperation, SinkBody, Action<Diagnostic>>? CreateEffectCheck(Compilation compilation)
    {
        // IDatabase, IBatch and ITransaction all extend IDatabaseAsync.
        var database = compilation.GetTypeByMetadataName("StackExchange.Redis.IDatabaseAsync");
        if (database is null)
        {
            return null;
        }

        return (operation, sink, report) =>
        {
            if (operation is not IInvocationOperation call)
            {
                return;
            }

            var name = call.TargetMethod.Name;
            if (name.EndsWith("Async", StringComparison.Ordinal))
            {
                name = name.Substring(0, name.Length - "Async".Length);
            }

            var owner = call.TargetMethod.ContainingType;
            if (RelativeCommands.Contains(name) && owner is not null &&
                (SymbolEqualityComparer.Default.Equals(owner, database) || owner.AllInterfaces.Contains(database, SymbolEqualityComparer.Default)))
            {
                report(Diagnostic.Create(Rule, call.Syntax.GetLocation(), Show(call), sink.OperationName));
            }
        };
    }
}
