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
/// SLQ0010: a sink picks where it writes — a key, a file or object name, a table, a row id, a
/// message id — from the wall clock, a GUID made afresh, an unseeded random number or
/// <c>string.GetHashCode</c> (randomised per process). A replayed batch then writes somewhere new,
/// and the first write stays. Values that only go to a log line, a delay, a timeout or a value
/// column (<c>updated_at</c>) are not where the sink writes, and pass.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NonDeterministicTargetInSinkAnalyzer : SinkEffectAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = Descriptors.NonDeterministicTargetInSink;

    // A name that says it designates where something goes, not what it holds.
    private static readonly Regex TargetName = new(
        @"(^|[a-z_\-@:])(id|key|path|file|filename|name|uri|url|topic|channel|subject|destination|table|partition|shard|bucket|field|member|stream|queue|prefix|folder|directory|dir)s?$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static readonly Regex TableBefore = new(@"\b(INTO|UPDATE|FROM|JOIN|TABLE)\s+[\w.""]*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    // Ids that tie log lines or traces together, not where anything is written.
    private static readonly Regex TracingName = new(@"(correlation|trace|request|span|activity|parent)[-_]?id$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private const int LocalDepth = 3;

    private static bool IsTargetName(string name) => TargetName.IsMatch(name) && !TracingName.IsMatch(name);

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

    internal override Action<IOperation, SinkBody, Action<Diagnostic>>? CreateEffectCheck(Compilation compilation)
    {
        var sources = new NonDeterministicSources(compilation);
        var io = compilation.GetTypeByMetadataName("System.IO.File")?.ContainingNamespace;
        var helpers = new System.Collections.Concurrent.ConcurrentDictionary<IMethodSymbol, bool>(SymbolEqualityComparer.Default);

        // A helper of the project that returns such a value (static string NewId() => Guid.NewGuid().ToString("N")).
        bool Returns(IOperation operation, SinkContext context) =>
            operation is IInvocationOperation { TargetMethod: { IsAbstract: false, DeclaringSyntaxReferences.IsEmpty: false } method } &&
            helpers.GetOrAdd(method.OriginalDefinition, m =>
                OutputOperations.SourceBody(m, context) is { } body &&
                body.Descendants().OfType<IReturnOperation>().Any(r => r.ReturnedValue is { } value && value.DescendantsAndSelf().Any(sources.IsNonDeterministic)));

        return (operation, sink, report) =>
        {
            if (!sources.IsNonDeterministic(operation) && !Returns(operation, sink.Context))
            {
                return;
            }

            var target = Target(operation, sink, io, 0);
            if (target is not null)
            {
                report(Diagnostic.Create(Rule, operation.Syntax.GetLocation(), Show(operation), sink.OperationName, target));
            }
        };
    }

    /// <summary>What the value ends up naming (a parameter or property name, or what a local holding it is used for), following it up through the expressions that carry it; null when it only feeds a value, a log line or a comparison.</summary>
    private static string? Target(IOperation value, SinkBody sink, INamespaceSymbol? io, int depth)
    {
        var current = value;
        while (current.Parent is { } parent)
        {
            switch (parent)
            {
                case IArgumentOperation argument:
                    var callee = argument.Parent switch
                    {
                        IInvocationOperation call => call.TargetMethod,
                        IObjectCreationOperation creation => creation.Constructor,
                        _ => null,
                    };
                    if (callee is null || argument.Parameter is null)
                    {
                        return null;
                    }

                    if (IsPassThrough(callee))
                    {
                        current = argument.Parent!;
                        continue;
                    }

                    if (IsTargetName(argument.Parameter.Name) ||
                        (SymbolEqualityComparer.Default.Equals(callee.ContainingType?.ContainingNamespace, io) && argument.Parameter.Type.SpecialType == SpecialType.System_String))
                    {
                        return argument.Parameter.Name;
                    }

                    // AddWithValue("@id", ...), Headers.Add("Idempotency-Key", ...): the name sits beside the value.
                    var label = argument.Parent is IInvocationOperation labelled
                        ? labelled.Arguments.Select(a => a.Value.ConstantValue).FirstOrDefault(c => c is { HasValue: true, Value: string })
                        : default;
                    return label is { HasValue: true, Value: string name } && IsTargetName(name) ? name : null;
                case IInterpolationOperation interpolation:
                    if (interpolation.Parent is IInterpolatedStringOperation text && TableBefore.IsMatch(TextBefore(text, interpolation)))
                    {
                        return "table";
                    }

                    current = interpolation.Parent!;
                    continue;
                case IBinaryOperation binary:
                    if (binary.OperatorKind is BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals or BinaryOperatorKind.LessThan or
                        BinaryOperatorKind.LessThanOrEqual or BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual)
                    {
                        return null;
                    }

                    current = binary;
                    continue;
                case IInvocationOperation call when call.Instance == current:
                    // Guid.NewGuid().ToString("N"), DateTime.UtcNow.ToString(...), now.AddDays(1): still the same value.
                    current = call;
                    continue;
                case IPropertyReferenceOperation or IConversionOperation or IParenthesizedOperation or IInterpolatedStringOperation or
                    IConditionalOperation or ICoalesceOperation or IInterpolatedStringContentOperation:
                    current = parent;
                    continue;
                case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator }:
                    return Uses(declarator.Symbol, sink, io, depth);
                case ISimpleAssignmentOperation assignment when assignment.Value == current:
                    switch (assignment.Target)
                    {
                        case IPropertyReferenceOperation { Property.Name: var property }:
                            return IsTargetName(property) ? property : null;
                        case IFieldReferenceOperation { Field.Name: var field }:
                            return IsTargetName(field) ? field : null;
                        case ILocalReferenceOperation { Local: var local }:
                            return Uses(local, sink, io, depth);
                        default:
                            return null;
                    }

                default:
                    return null;
            }
        }

        return null;
    }

    /// <summary>Where a local holding the value is used to write: the first use that names a target.</summary>
    private static string? Uses(ILocalSymbol local, SinkBody sink, INamespaceSymbol? io, int depth)
    {
        if (depth >= LocalDepth)
        {
            return null;
        }

        foreach (var use in sink.UsesOf(local))
        {
            sink.Context.CountWork();
            if (Target(use, sink, io, depth + 1) is { } target)
            {
                return target;
            }
        }

        return null;
    }

    /// <summary>Methods that return the value they are given, reshaped: formatting, Path.Combine, Math, Convert.</summary>
    private static bool IsPassThrough(IMethodSymbol method)
    {
        var type = method.ContainingType;
        if (type is null)
        {
            return false;
        }

        return type.SpecialType == SpecialType.System_String ||
               (type.Name is "Path" or "Math" or "Convert" or "MathF" && type.ContainingNamespace?.ToDisplayString() is "System" or "System.IO") ||
               method.Name is "ToString" or "Format";
    }

    private static string TextBefore(IInterpolatedStringOperation text, IInterpolationOperation hole)
    {
        var before = string.Empty;
        foreach (var part in text.Parts)
        {
            if (part == hole)
            {
                break;
            }

            before += part is IInterpolatedStringTextOperation t ? t.Text.ConstantValue.Value as string : "?";
        }

        return before;
    }
}
