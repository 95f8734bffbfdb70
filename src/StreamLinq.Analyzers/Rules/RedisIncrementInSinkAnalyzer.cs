using System;
using System.Collections.Immutable;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using StreamLinq.Analyzers.Support;

namespace StreamLinq.Analyzers.Rules;

/// <summary>
/// SLQ0005: a Redis command in a sink that changes a key relative to its current value
/// (increments, pushes, appends, XADD without an id): matched by symbol on StackExchange.Redis
/// (named methods, raw <c>Execute("INCRBY", ...)</c>, Lua scripts that call them unguarded), by
/// method name on other clients and wrappers (<c>IncrBy</c>, <c>HIncrBy</c>, <c>RPush</c>,
/// <c>IncrementValueInHash</c>, ...), and by the names a team lists in <c>.editorconfig</c>
/// under <c>streamlinq.redis_relative_methods</c>. A replayed batch applies it again.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class RedisIncrementInSinkAnalyzer : SinkEffectAnalyzer
{
    /// <summary>The <c>.editorconfig</c> key listing a team's own relative Redis methods (<c>Name</c> or <c>Type.Name</c>, comma-separated).</summary>
    internal const string RelativeMethodsOption = "streamlinq.redis_relative_methods";

    internal static readonly DiagnosticDescriptor Rule = Descriptors.RedisIncrementInSink;

    // StackExchange.Redis's names (without Async), matched on its database interfaces.
    private static readonly ImmutableHashSet<string> RelativeCommands = ImmutableHashSet.Create(
        "StringIncrement", "StringDecrement", "StringAppend",
        "HashIncrement", "HashDecrement",
        "SortedSetIncrement", "SortedSetDecrement",
        "ListLeftPush", "ListRightPush", "ListInsertAfter", "ListInsertBefore",
        "StreamAdd");

    // Names no other API uses: a client or wrapper method so named is the Redis command.
    private static readonly ImmutableHashSet<string> CommandNames = ImmutableHashSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "IncrBy", "IncrByFloat", "DecrBy", "HIncrBy", "HIncrByFloat", "ZIncrBy", "LPush", "RPush", "LPushX", "RPushX", "XAdd", "LInsert",
        "IncrementValue", "IncrementValueBy", "IncrementValueInHash", "IncrementItemInSortedSet", "DecrementValue", "DecrementValueBy",
        "AddItemToList", "AddRangeToList", "PrependItemToList", "PrependRangeToList", "PushItemToList", "EnqueueItemOnList", "AppendToValue");

    // Names other APIs share (StringBuilder.Append, a local tally's Increment): only on a type named for Redis.
    private static readonly ImmutableHashSet<string> SharedNames = RelativeCommands.Union(new[] { "Incr", "Decr", "Increment", "Decrement", "Append", "Push" });

    private static readonly ImmutableHashSet<string> RawCommands = ImmutableHashSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "INCR", "INCRBY", "INCRBYFLOAT", "DECR", "DECRBY", "HINCRBY", "HINCRBYFLOAT", "ZINCRBY", "LPUSH", "RPUSH", "LPUSHX", "RPUSHX", "APPEND", "LINSERT", "XADD");

    private static readonly Regex ScriptCommand = new(
        @"['""](INCR|INCRBY|INCRBYFLOAT|DECR|DECRBY|HINCRBY|HINCRBYFLOAT|ZINCRBY|LPUSH|RPUSH|APPEND|XADD)['""]",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static readonly Regex ScriptCondition = new(@"\bif\b", RegexOptions.CultureInvariant);

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

    internal override Action<IOperation, SinkBody, Action<Diagnostic>>? CreateEffectCheck(Compilation compilation)
    {
        // IDatabase, IBatch and ITransaction all extend IDatabaseAsync.
        var database = compilation.GetTypeByMetadataName("StackExchange.Redis.IDatabaseAsync");

        bool IsDatabase(INamedTypeSymbol? owner) =>
            database is not null && owner is not null &&
            (SymbolEqualityComparer.Default.Equals(owner, database) || owner.AllInterfaces.Contains(database, SymbolEqualityComparer.Default));

        return (operation, sink, report) =>
        {
            if (operation is not IInvocationOperation call)
            {
                return;
            }

            var method = call.TargetMethod;
            var name = method.Name.EndsWith("Async", StringComparison.Ordinal) ? method.Name.Substring(0, method.Name.Length - "Async".Length) : method.Name;
            bool relative;
            if (IsDatabase(method.ContainingType))
            {
                relative = name switch
                {
                    "StreamAdd" => !HasExplicitId(call),
                    "Execute" => call.Arguments.Length > 0 && call.Arguments[0].Value.ConstantValue is { HasValue: true, Value: string command } && RawCommands.Contains(command),
                    "ScriptEvaluate" => call.Arguments.Length > 0 && call.Arguments[0].Value.ConstantValue is { HasValue: true, Value: string script } &&
                                        ScriptCommand.IsMatch(script) && !ScriptCondition.IsMatch(script),
                    _ => RelativeCommands.Contains(name),
                };

                // A transaction conditioned on the batch (AddCondition) applies it once.
                relative &= !sink.AnyInChain("redis-condition", o => o is IInvocationOperation { TargetMethod.Name: "AddCondition" } c && IsDatabase(c.TargetMethod.ContainingType));
            }
            else
            {
                relative = CommandNames.Contains(name) ||
                           (SharedNames.Contains(name) && NamedForRedis(method.ContainingType)) ||
                           SinkContext.IsListed(sink.Context.NameList(call.Syntax.SyntaxTree, RelativeMethodsOption), method);
            }

            if (relative)
            {
                report(Diagnostic.Create(Rule, call.Syntax.GetLocation(), Show(call), sink.OperationName));
            }
        };
    }

    /// <summary>XADD with an id of the caller's (not <c>*</c>): Redis refuses an id not above the last, so a replay cannot add twice.</summary>
    private static bool HasExplicitId(IInvocationOperation call) =>
        call.Arguments.Any(a =>
            a.Parameter?.Name == "messageId" && a.ArgumentKind != ArgumentKind.DefaultValue &&
            !(a.Value.ConstantValue is { HasValue: true, Value: null or "*" }));

    // A distributed cache client (Foundatio's ICacheClient.IncrementAsync) counts too: its counters outlive the process.
    private static bool NamedForRedis(INamedTypeSymbol? type) =>
        type is not null &&
        (type.Name.IndexOf("Redis", StringComparison.OrdinalIgnoreCase) >= 0 ||
         (type.Name.IndexOf("Cache", StringComparison.OrdinalIgnoreCase) >= 0 && type.TypeKind == TypeKind.Interface) ||
         (type.ContainingNamespace?.ToDisplayString().IndexOf("Redis", StringComparison.OrdinalIgnoreCase) ?? -1) >= 0);
}
