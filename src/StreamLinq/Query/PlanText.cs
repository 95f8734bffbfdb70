using System.Linq.Expressions;

namespace StreamLinq.Query;

/// <summary>How plan nodes describe the operators they hold, in C# as the reader wrote it.</summary>
internal static class PlanText
{
    /// <summary>
    /// Replaces the C# writer in this async flow. Rendering is display only; tests swap it to show
    /// that nothing else (state ids, the query fingerprint) changes with it.
    /// </summary>
    internal static readonly AsyncLocal<Func<Expression, string>?> Renderer = new();

    /// <summary><c>Where(x =&gt; ...) -&gt; Select(x =&gt; ...)</c>, innermost first.</summary>
    public static string Chain(IEnumerable<MethodCallExpression> ops) => string.Join(" -> ", ops.Select(Call));

    /// <summary>An operator call with its non-stream arguments, e.g. <c>Select(x =&gt; x * 2)</c>.</summary>
    public static string Call(MethodCallExpression call) =>
        $"{call.Method.Name}({string.Join(", ", call.Arguments.Skip(1).Select(Argument))})";

    /// <summary>An expression (a lambda, a stream, a constant) as C# source.</summary>
    public static string Of(Expression? expression) => expression is null ? "none" : Render(expression);

    private static string Argument(Expression argument) => argument switch
    {
        UnaryExpression { NodeType: ExpressionType.Quote } quote => Render(quote.Operand),
        _ when typeof(IDStream).IsAssignableFrom(argument.Type) => "stream",
        ConstantExpression { Value: Delegate } => "function",
        ConstantExpression { Value: System.Collections.IEnumerable and not string } constant => "static " + CSharpText.Type(constant.Type),
        _ => Render(argument),
    };

    // Plans are described while they are built: a shape the C# writer does not know must not stop a query from starting.
    private static string Render(Expression expression)
    {
        if (Renderer.Value is { } renderer)
        {
            return renderer(expression);
        }

        try
        {
            return CSharpText.Expression(expression);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            return expression.ToString();
        }
    }
}
