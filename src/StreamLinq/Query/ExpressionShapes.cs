using System.Linq.Expressions;

namespace StreamLinq.Query;

/// <summary>Small recognisers for the shapes the operators put into query trees.</summary>
internal static class ExpressionShapes
{
    /// <summary>The lambda of a quoted argument, as the operators store it.</summary>
    public static LambdaExpression Lambda(Expression argument) => argument switch
    {
        UnaryExpression { NodeType: ExpressionType.Quote, Operand: LambdaExpression lambda } => lambda,
        LambdaExpression lambda => lambda,
        _ => throw new InvalidOperationException($"Expected a lambda expression, found {argument.NodeType}: {PlanText.Of(argument)}"),
    };

    /// <summary>Whether <paramref name="expression"/> is a call of one of the stream operators.</summary>
    public static bool IsOperator(Expression expression, out MethodCallExpression call)
    {
        call = (expression as MethodCallExpression)!;
        return call is not null && call.Method.DeclaringType == typeof(DStreamQueryable);
    }

    public static bool IsOperator(Expression expression, string name, out MethodCallExpression call) =>
        IsOperator(expression, out call) && call.Method.Name == name;

    /// <summary>
    /// Whether the call is a per-record operator that can be fused into a compiled loop: Where,
    /// Select, SelectMany, and a Join with static data (a lookup per record).
    /// </summary>
    public static bool IsStateless(MethodCallExpression call) =>
        call.Method.DeclaringType == typeof(DStreamQueryable)
        && (call.Method.Name is "Where" or "Select" or "SelectMany" || IsStaticJoin(call));

    /// <summary><c>Join(stream, static data, outerKey, innerKey, result)</c>, with the default key comparer.</summary>
    public static bool IsStaticJoin(MethodCallExpression call) =>
        call.Method.Name == "Join"
        && call.Arguments.Count == 5
        && call.Method.GetParameters()[1].ParameterType is { IsGenericType: true } inner
        && inner.GetGenericTypeDefinition() == typeof(IEnumerable<>)
        && call.Arguments[1] is ConstantExpression { Value: not null };

    /// <summary>The element type of a sequence type (<c>T[]</c>, <c>IEnumerable&lt;T&gt;</c> or a type implementing it).</summary>
    public static Type? SequenceElementType(Type type)
    {
        if (type.IsSZArray)
        {
            return type.GetElementType();
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>))
        {
            return type.GetGenericArguments()[0];
        }

        return type.GetInterfaces()
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))
            ?.GetGenericArguments()[0];
    }

    /// <summary>The element type of a stream expression (an <see cref="IDStream{T}"/> or a type implementing it).</summary>
    public static Type ElementOf(Expression stream) =>
        (stream.Type.IsGenericType && stream.Type.GetGenericTypeDefinition() == typeof(IDStream<>)
            ? stream.Type
            : stream.Type.GetInterfaces().First(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDStream<>)))
        .GetGenericArguments()[0];

    /// <summary>Strips the reference conversions the compiler adds around a lambda body.</summary>
    public static Expression StripConvert(Expression expression)
    {
        while (expression is UnaryExpression { NodeType: ExpressionType.Convert } convert && !convert.Operand.Type.IsValueType)
        {
            expression = convert.Operand;
        }

        return expression;
    }
}
