using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace StreamLinq.Analyzers.Support;

/// <summary>Reads a call to an output operation of <c>StreamLinq.DStreamOutput</c>: its delivery guarantee and its sink.</summary>
internal static class OutputOperations
{
    // The values of StreamLinq.DeliveryGuarantee; the enum is public API and its order is fixed.
    public const int AtMostOnce = 0;
    public const int AtLeastOnce = 1;
    public const int ExactlyOnce = 2;

    public static bool IsOutputOperation(IInvocationOperation invocation, StreamLinqTypes types) =>
        SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType?.OriginalDefinition, types.DStreamOutput);

    /// <summary>
    /// The delivery guarantee the call asks for: the argument's constant, the parameter's default
    /// when the argument is left out, at most once for an operation that takes none (Print), and
    /// null when the code computes it at run time.
    /// </summary>
    public static int? Delivery(IInvocationOperation invocation, StreamLinqTypes types)
    {
        var argument = DeliveryArgument(invocation, types);
        if (argument is null)
        {
            return AtMostOnce;
        }

        if (argument.ArgumentKind == ArgumentKind.DefaultValue)
        {
            return argument.Parameter is { HasExplicitDefaultValue: true, ExplicitDefaultValue: int value } ? value : null;
        }

        return argument.Value.ConstantValue is { HasValue: true, Value: int constant } ? constant : null;
    }

    public static IArgumentOperation? DeliveryArgument(IInvocationOperation invocation, StreamLinqTypes types) =>
        invocation.Arguments.FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.Parameter?.Type, types.DeliveryGuarantee));

    /// <summary>The argument that carries the sink: a delegate or an <c>IBatchSink&lt;T&gt;</c>.</summary>
    public static IArgumentOperation? SinkArgument(IInvocationOperation invocation, StreamLinqTypes types) =>
        invocation.Arguments.FirstOrDefault(a =>
            a.Parameter is { } p && p.Ordinal > 0 &&
            (p.Type.TypeKind == TypeKind.Delegate || types.IsBatchSink(p.Type)));

    /// <summary>Strips the implicit conversions the compiler wraps around an argument.</summary>
    public static IOperation Unwrap(IOperation operation)
    {
        while (operation is IConversionOperation conversion)
        {
            operation = conversion.Operand;
        }

        return operation;
    }

    /// <summary>
    /// The bodies a sink runs on every batch, unless the sink is declared replay-safe: the lambda,
    /// or the method group's method when declared in source (in any file of the compilation).
    /// </summary>
    public static IEnumerable<SinkBody> UnsafeSinkBodies(IInvocationOperation invocation, SinkContext context)
    {
        var types = context.Types;
        var argument = SinkArgument(invocation, types);
        if (argument is null || argument.ArgumentKind == ArgumentKind.DefaultValue)
        {
            yield break;
        }

        var name = invocation.TargetMethod.Name;
        if (Unwrap(argument.Value) is IDelegateCreationOperation creation)
        {
            switch (creation.Target)
            {
                case IAnonymousFunctionOperation lambda when !types.HasIdempotentAttribute(lambda.Symbol):
                    yield return new SinkBody(lambda.Body, lambda.Syntax, name, context, invocation);
                    break;
                case IMethodReferenceOperation reference
                    when !types.HasIdempotentAttribute(reference.Method) && !types.HasIdempotentAttribute(reference.Method.ContainingType):
                    var body = SourceBody(reference.Method, context);
                    if (body is not null)
                    {
                        yield return new SinkBody(body, body.Syntax, name, context, invocation);
                    }

                    break;
            }
        }

        // A sink object's WriteBatchAsync is read where it is declared (see SinkEffectAnalyzer).
    }

    /// <summary>
    /// Whether a method is the <c>WriteBatchAsync</c> of an <c>IBatchSink&lt;T&gt;</c> whose type
    /// does not declare itself replay-safe.
    /// </summary>
    public static bool IsUnsafeSinkWrite(IMethodSymbol method, StreamLinqTypes types)
    {
        var type = method.ContainingType;
        if (method.Name != "WriteBatchAsync" || type is null || types.BatchSink is null ||
            types.IsReplaySafeType(type) || types.HasIdempotentAttribute(method))
        {
            return false;
        }

        return type.AllInterfaces
            .Where(i => SymbolEqualityComparer.Default.Equals(i.OriginalDefinition, types.BatchSink))
            .SelectMany(i => i.GetMembers("WriteBatchAsync"))
            .Any(member => SymbolEqualityComparer.Default.Equals(type.FindImplementationForInterfaceMember(member), method));
    }

    /// <summary>The body of a method declared in source in this compilation (in any file), or null for metadata, abstract and extern methods.</summary>
    public static IOperation? SourceBody(IMethodSymbol method, SinkContext context)
    {
        foreach (var reference in method.DeclaringSyntaxReferences)
        {
            var syntax = reference.GetSyntax();
            if (syntax is BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or AccessorDeclarationSyntax or ArrowExpressionClauseSyntax &&
                context.ModelFor(reference.SyntaxTree).GetOperation(syntax) is { } operation &&
                operation is IMethodBodyOperation { BlockBody: not null } or IMethodBodyOperation { ExpressionBody: not null } or IConstructorBodyOperation or ILocalFunctionOperation or IBlockOperation)
            {
                return operation;
            }
        }

        return null;
    }
}
