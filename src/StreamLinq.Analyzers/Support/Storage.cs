using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace StreamLinq.Analyzers.Support;

/// <summary>
/// Tells whether what an operation writes to outlives a sink call. A write to a local of
/// the call is redone from scratch on replay; a write to a field, a static, a captured
/// variable or anything reached through them accumulates across calls.
/// </summary>
internal static class Storage
{
    public static bool OutlivesCall(IOperation? target, SyntaxNode scope)
    {
        switch (target)
        {
            case null:
                return false;
            case ILocalReferenceOperation local:
                return !DeclaredWithin(local.Local, scope);
            case IParameterReferenceOperation parameter:
                return !DeclaredWithin(parameter.Parameter, scope);
            case IFieldReferenceOperation field:
                return field.Field.IsStatic || OutlivesCall(field.Instance, scope);
            case IPropertyReferenceOperation property:
                return property.Property.IsStatic || OutlivesCall(property.Instance, scope);
            case IArrayElementReferenceOperation element:
                return OutlivesCall(element.ArrayReference, scope);
            case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ImplicitReceiver }:
                // The object an initialiser fills (new Dto { N = ... }, d with { N = ... }, new List<int> { 1 }): created by this call.
                return false;
            case IInstanceReferenceOperation:
                return true;
            case IConversionOperation conversion:
                return OutlivesCall(conversion.Operand, scope);
            case IDynamicMemberReferenceOperation dynamicMember:
                return OutlivesCall(dynamicMember.Instance, scope);
            case IInvocationOperation invocation:
                // A ref return or an object handed out by a static lookup is shared state.
                return invocation.Instance is null || OutlivesCall(invocation.Instance, scope);
            default:
                // New objects, literals, the records of the batch: fresh on every call.
                return false;
        }
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

    /// <summary>Whether an operation reads <paramref name="storage"/> anywhere.</summary>
    public static bool Reads(IOperation operation, ISymbol storage) =>
        operation.DescendantsAndSelf().Any(o => o is not IConversionOperation && SymbolEqualityComparer.Default.Equals(RootStorage(o), storage));

    /// <summary>
    /// Whether the sink starts <paramref name="storage"/> afresh on every call — a plain
    /// assignment not computed from itself (<c>count = 0</c>, <c>buffer = new()</c>) or a
    /// <c>Clear()</c> — so that what it accumulates within the call does not carry over.
    /// </summary>
    public static bool IsResetInCall(ISymbol storage, SinkBody sink) =>
        sink.Body.Descendants().Any(operation => operation switch
        {
            ISimpleAssignmentOperation assignment =>
                SymbolEqualityComparer.Default.Equals(RootStorage(assignment.Target), storage) &&
                // new Dto { Count = 0 } sets the new object's member, not the stored one's.
                OutlivesCall(assignment.Target, sink.Scope) &&
                assignment.Target is not IArrayElementReferenceOperation and not IPropertyReferenceOperation { Arguments.Length: > 0 } &&
                !Reads(assignment.Value, storage),
            IInvocationOperation { TargetMethod.Name: "Clear", Instance: { } instance } =>
                SymbolEqualityComparer.Default.Equals(RootStorage(instance), storage),
            _ => false,
        });

    private static bool DeclaredWithin(ISymbol symbol, SyntaxNode scope) =>
        symbol.DeclaringSyntaxReferences.Any(r => r.SyntaxTree == scope.SyntaxTree && scope.Span.Contains(r.Span));
}
