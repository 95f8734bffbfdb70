using System.Linq.Expressions;

namespace StreamLinq.Query;

/// <summary>How plan nodes describe the operators they hold.</summary>
internal static class PlanText
{
    /// <summary><c>Where(x =&gt; ...) -&gt; Select(x =&gt; ...)</c>, innermost first.</summary>
    public static string Chain(IEnumerable<MethodCallExpression> ops) => string.Join(" -> ", ops.Select(Call));

    /// <summary>An operator call with its non-stream arguments, e.g. <c>Select(x =&gt; (x * 2))</c>.</summary>
    public static string Call(MethodCallExpression call) =>
        $"{call.Method.Name}({string.Join(", ", call.Arguments.Skip(1).Select(Argument))})";

    private static string Argument(Expression argument) => argument switch
    {
        UnaryExpression { NodeType: ExpressionType.Quote } quote => quote.Operand.ToString(),
        _ when typeof(IDStream).IsAssignableFrom(argument.Type) => "stream",
        ConstantExpression { Value: Delegate } => "function",
        ConstantExpression { Value: System.Collections.IEnumerable } constant => "static " + constant.Type.Name,
        _ => argument.ToString(),
    };
}
