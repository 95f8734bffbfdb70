using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace StreamLinq.Analyzers.Support;

/// <summary>
/// Tells whether what an operation writes to outlives a sink call. A write to a local of
/// the call is redone from scratch on replay; a write to a field, a static, a captured
/// variable or anything reached through them accumulates across calls — and so does a write
/// through a local that aliases one of them (<c>var list = s_all</c>, <c>foreach (var a in accounts)</c>,
/// <c>counters.GetOrAdd(k, ...)</c>) or an entity loaded from a database context.
/// </summary>
internal static class Storage
{
    // Aliases of aliases are followed this far; beyond it the local is taken as fresh.
    private const int AliasDepth = 4;

    private static readonly HashSet<string> ElementLookups = new()
    {
        "First", "FirstOrDefault", "Single", "SingleOrDefault", "Last", "LastOrDefault", "ElementAt", "ElementAtOrDefault",
        "FirstAsync", "FirstOrDefaultAsync", "SingleAsync", "SingleOrDefaultAsync", "LastAsync", "LastOrDefaultAsync",
    };

    public static bool OutlivesCall(IOperation? target, SinkBody sink) => OutlivesCall(target, sink, 0);

    private static bool OutlivesCall(IOperation? target, SinkBody sink, int depth)
    {
        switch (target)
        {
            case null:
                return false;
            case ILocalReferenceOperation local:
                return !DeclaredWithin(local.Local, sink.Scope) || AliasesStorage(local, sink, depth);
            case IParameterReferenceOperation parameter:
                return sink.ParameterOutlivesCall(parameter.Parameter) ?? !DeclaredWithin(parameter.Parameter, sink.Scope);
            case IFieldReferenceOperation field:
                return field.Field.IsStatic || OutlivesCall(field.Instance, sink, depth);
            case IPropertyReferenceOperation property:
                return property.Property.IsStatic || OutlivesCall(property.Instance, sink, depth);
            case IArrayElementReferenceOperation element:
                return OutlivesCall(element.ArrayReference, sink, depth);
            case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ImplicitReceiver }:
                // The object an initialiser fills (new Dto { N = ... }, d with { N = ... }, new List<int> { 1 }): created by this call.
                return false;
            case IInstanceReferenceOperation:
                return sink.InstanceOutlivesCall;
            case IConversionOperation conversion:
                return OutlivesCall(conversion.Operand, sink, depth);
            case IAwaitOperation awaited:
                return OutlivesCall(awaited.Operation, sink, depth);
            case IDynamicMemberReferenceOperation dynamicMember:
                return OutlivesCall(dynamicMember.Instance, sink, depth);
            case IInvocationOperation invocation:
                // A ref return or an object handed out by a static lookup is shared state.
                return invocation.Instance is null || OutlivesCall(invocation.Instance, sink, depth);
            default:
                // New objects, literals, the records of the batch: fresh on every call.
                return false;
        }
    }

    /// <summary>
    /// Whether a local of the call refers to storage that outlives it: initialised from a field or
    /// a static (a reference, not a copy), iterating over one, handed one by <c>out</c>, or holding
    /// an entity a database context tracks (its changes are saved to the table).
    /// </summary>
    private static bool AliasesStorage(ILocalReferenceOperation reference, SinkBody sink, int depth)
    {
        var local = reference.Local;
        if (depth >= AliasDepth || (local.Type is { IsValueType: true } && !local.IsRef))
        {
            return false;
        }

        var source = AliasSource(local, reference.SemanticModel ?? sink.Context.ModelFor(reference.Syntax.SyntaxTree));
        while (source is IAwaitOperation or IConversionOperation)
        {
            source = source is IAwaitOperation awaited ? awaited.Operation : ((IConversionOperation)source).Operand;
        }

        switch (source)
        {
            case null:
                return false;
            case IInvocationOperation call when !call.TargetMethod.ReturnsByRef && !call.TargetMethod.ReturnsByRefReadonly:
                if (IsDatabaseQuery(call))
                {
                    return true;
                }

                // An instance method of shared state hands out part of it (GetOrAdd, TryGetValue, Find);
                // a static or extension method (ToList, a factory) makes something new, unless it picks an element.
                if (call.Instance is not null)
                {
                    return OutlivesCall(call.Instance, sink, depth + 1);
                }

                return ElementLookups.Contains(call.TargetMethod.Name) && call.Arguments.Length > 0 &&
                       OutlivesCall(call.Arguments[0].Value, sink, depth + 1);
            default:
                return OutlivesCall(source, sink, depth + 1);
        }
    }

    /// <summary>What a local was first given: its initialiser, the collection it iterates, or the call that set it through <c>out</c>.</summary>
    private static IOperation? AliasSource(ILocalSymbol local, SemanticModel? model)
    {
        var syntax = local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax();
        if (model is null || syntax is null || syntax.SyntaxTree != model.SyntaxTree)
        {
            return null;
        }

        switch (syntax)
        {
            case VariableDeclaratorSyntax { Initializer.Value: { } value }:
                var initial = model.GetOperation(value);
                return initial is IAnonymousFunctionOperation ? null : initial;
            case ForEachStatementSyntax loop:
                return model.GetOperation(loop.Expression);
            case SingleVariableDesignationSyntax { Parent: DeclarationExpressionSyntax { Parent: ArgumentSyntax { Parent: ArgumentListSyntax { Parent: InvocationExpressionSyntax invocation } } } }:
                return model.GetOperation(invocation) is IInvocationOperation call && call.Instance is not null ? call : null;
            default:
                return null;
        }
    }

    /// <summary>A query of an EF Core <c>DbSet</c>: what it returns is tracked and saved back by <c>SaveChanges</c>.</summary>
    private static bool IsDatabaseQuery(IOperation? operation)
    {
        for (var depth = 0; operation is not null && depth < 8; depth++)
        {
            if (IsDbSet(operation.Type))
            {
                return true;
            }

            operation = operation switch
            {
                IInvocationOperation call => call.Instance ?? (call.Arguments.Length > 0 ? call.Arguments[0].Value : null),
                IConversionOperation conversion => conversion.Operand,
                IAwaitOperation awaited => awaited.Operation,
                _ => null,
            };
        }

        return false;
    }

    /// <summary>Whether a type is (or derives from) EF Core's <c>DbSet&lt;T&gt;</c>.</summary>
    public static bool IsDbSet(ITypeSymbol? type)
    {
        for (var t = type as INamedTypeSymbol; t is not null; t = t.BaseType)
        {
            if (t.Name == "DbSet" && t.ContainingNamespace?.ToDisplayString() == "Microsoft.EntityFrameworkCore")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The variable, field or property that holds what an operation writes to: for an element
    /// (<c>counts[word]</c>, <c>totals[i]</c>) the collection's; null for anything else.
    /// </summary>
    public static ISymbol? RootStorage(IOperation? operation)
    {
        while (true)
        {
            switch (operation)
            {
                case IConversionOperation conversion:
                    operation = conversion.Operand;
                    continue;
                case IArrayElementReferenceOperation element:
                    operation = element.ArrayReference;
                    continue;
                case IPropertyReferenceOperation { Arguments.Length: > 0 } indexer:
                    operation = indexer.Instance;
                    continue;
                case ILocalReferenceOperation local:
                    return local.Local;
                case IParameterReferenceOperation parameter:
                    return parameter.Parameter;
                case IFieldReferenceOperation field:
                    return field.Field;
                case IPropertyReferenceOperation property:
                    return property.Property;
                default:
                    return null;
            }
        }
    }

    /// <summary>
    /// Whether an operation reads <paramref name="storage"/> anywhere, directly or through a local
    /// of the expression's method that was read from it (<c>counts.TryGetValue(k, out var n); counts[k] = n + 1</c>).
    /// </summary>
    public static bool Reads(IOperation operation, ISymbol storage) => Reads(operation, storage, 0);

    private static bool Reads(IOperation operation, ISymbol storage, int depth)
    {
        foreach (var o in operation.DescendantsAndSelf())
        {
            if (o is IConversionOperation)
            {
                continue;
            }

            if (SymbolEqualityComparer.Default.Equals(RootStorage(o), storage))
            {
                return true;
            }

            if (depth < 2 && o is ILocalReferenceOperation local && !SymbolEqualityComparer.Default.Equals(local.Local, storage) &&
                AliasSource(local.Local, o.SemanticModel) is { } source && !source.Syntax.Span.Contains(o.Syntax.Span) &&
                Reads(source, storage, depth + 1))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether the sink starts <paramref name="storage"/> afresh on every call — a plain
    /// assignment not computed from itself (<c>count = 0</c>, <c>buffer = new()</c>) or a
    /// <c>Clear()</c> — so that what it accumulates within the call does not carry over.
    /// </summary>
    public static bool IsResetInCall(ISymbol storage, SinkBody sink) => sink.IsReset(storage);

    /// <summary>Every storage <see cref="IsResetInCall"/> holds for, in one pass over the body.</summary>
    internal static IEnumerable<ISymbol> ResetsInCall(SinkBody sink)
    {
        foreach (var operation in sink.Body.Descendants())
        {
            sink.Context.CountWork();
            switch (operation)
            {
                case ISimpleAssignmentOperation assignment
                    when assignment.Target is not IArrayElementReferenceOperation and not IPropertyReferenceOperation { Arguments.Length: > 0 } &&
                         RootStorage(assignment.Target) is { } assigned && !Reads(assignment.Value, assigned) &&
                         // new Dto { Count = 0 } sets the new object's member, not the stored one's.
                         OutlivesCall(assignment.Target, sink):
                    yield return assigned;
                    break;
                case IInvocationOperation { TargetMethod.Name: "Clear", Instance: { } instance } when RootStorage(instance) is { } cleared:
                    yield return cleared;
                    break;
            }
        }
    }

    private static bool DeclaredWithin(ISymbol symbol, SyntaxNode scope) =>
        symbol.DeclaringSyntaxReferences.Any(r => r.SyntaxTree == scope.SyntaxTree && scope.Span.Contains(r.Span));
}
