using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace StreamLinq.Analyzers.Support
{
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

        private static bool DeclaredWithin(ISymbol symbol, SyntaxNode scope) =>
            symbol.DeclaringSyntaxReferences.Any(r => r.SyntaxTree == scope.SyntaxTree && scope.Span.Contains(r.Span));
    }
}
