using System.Linq.Expressions;

namespace StreamLinq.Query;

/// <summary>
/// The names <c>.Named(...)</c> gives in query trees, taken out of the trees before planning so
/// that a name changes neither the plan (a window stays absorbable by the aggregation over it)
/// nor any derived state id: a named operator's derived id is the one it had unnamed.
/// </summary>
internal sealed class OperatorNames : ExpressionVisitor
{
    private readonly Dictionary<Expression, Expression> _stripped = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Expression, string> _names = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Expression, string> _outputNames = new(ReferenceEqualityComparer.Instance);

    /// <summary>The name a <c>Named</c> call at the top of an output's query gives that output; null when there is none.</summary>
    public static string? OfOutput(Expression query) =>
        IsNamed(query, out var call) ? (string)((ConstantExpression)call.Arguments[1]).Value! : null;

    /// <summary>
    /// The tree without its <c>Named</c> calls; the stream a <c>Named</c> call at the top names
    /// is also named as an output's (<paramref name="output"/>), which may keep no state.
    /// </summary>
    public Expression Strip(Expression query, bool output = false)
    {
        if (output && IsNamed(query, out var call))
        {
            // Named(Named(s, "op"), "out"): the outer name is the output's alone.
            var stream = Visit(call.Arguments[0])!;
            if (!IsNamed(call.Arguments[0], out _))
            {
                _outputNames.TryAdd(stream, (string)((ConstantExpression)call.Arguments[1]).Value!);
            }

            return stream;
        }

        return Visit(query)!;
    }

    /// <summary>The operator name given to the (stripped) stream <paramref name="stream"/>, and whether it came only from an output's name.</summary>
    public (string? Name, bool OutputOnly) Of(Expression stream) =>
        _names.TryGetValue(stream, out var name) ? (name, false)
        : _outputNames.TryGetValue(stream, out name) ? (name, true)
        : (null, false);

    /// <summary>Every stream an operator name was given to (not an output's alone), with the name.</summary>
    public IEnumerable<KeyValuePair<Expression, string>> Operators => _names;

    public override Expression? Visit(Expression? node)
    {
        if (node is null)
        {
            return null;
        }

        if (_stripped.TryGetValue(node, out var stripped))
        {
            return stripped;
        }

        stripped = base.Visit(node);
        _stripped[node] = stripped;
        return stripped;
    }

    protected override Expression VisitMethodCall(MethodCallExpression node)
    {
        if (!IsNamed(node, out _))
        {
            return base.VisitMethodCall(node);
        }

        var name = (string)((ConstantExpression)node.Arguments[1]).Value!;
        var stream = Visit(node.Arguments[0])!;
        if (_names.TryGetValue(stream, out var other) && other != name)
        {
            throw new NotSupportedException($"One operator is named both \"{other}\" and \"{name}\": `{PlanText.Of(stream)}`. An operator has one name.");
        }

        _names[stream] = name;
        return stream;
    }

    private static bool IsNamed(Expression expression, out MethodCallExpression call)
    {
        call = (expression as MethodCallExpression)!;
        return call is { Method.Name: nameof(DStreamQueryable.Named) } && call.Method.DeclaringType == typeof(DStreamQueryable);
    }
}
