using System.Linq.Expressions;

namespace StreamLinq.Query;

/// <summary>Inlines a lambda: its body with each parameter replaced by an expression.</summary>
internal sealed class ParameterReplacer : ExpressionVisitor
{
    private readonly Dictionary<ParameterExpression, Expression> _map;

    private ParameterReplacer(Dictionary<ParameterExpression, Expression> map) => _map = map;

    /// <summary>The body of <paramref name="lambda"/> with its parameters replaced by <paramref name="arguments"/>, which should be side-effect free.</summary>
    public static Expression Inline(LambdaExpression lambda, params Expression[] arguments)
    {
        var map = new Dictionary<ParameterExpression, Expression>();
        for (var i = 0; i < arguments.Length; i++)
        {
            map[lambda.Parameters[i]] = arguments[i];
        }

        return new ParameterReplacer(map).Visit(lambda.Body);
    }

    protected override Expression VisitParameter(ParameterExpression node) =>
        _map.TryGetValue(node, out var replacement) ? replacement : node;
}
