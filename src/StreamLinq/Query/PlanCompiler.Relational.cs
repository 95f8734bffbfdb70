using System.Linq.Expressions;
using StreamLinq.Execution;
using StreamLinq.Query.Logical;
using static StreamLinq.Query.ExpressionShapes;

namespace StreamLinq.Query;

/// <summary>
/// The compiled physical forms of Relational runs (the operators with no loop of their own):
/// each is chosen only for the exact shape it gives LINQ to Objects' result for, order included;
/// any other run stays a LINQ to Objects query.
/// </summary>
internal sealed partial class PlanCompiler
{
    private static readonly HashSet<string> SetOperators = ["Concat", "Union", "Distinct"];

    /// <summary>The compiled form of <paramref name="relational"/>, or null when it has none.</summary>
    private PlanNode? CompiledRelational(RelationalOperator relational)
    {
        var calls = relational.Calls;
        var top = calls[^1];
        var types = top.Method.GetGenericArguments();
        if (calls.Count == 1 && top.Method.Name == "Join" && top.Arguments.Count == 5 && relational.Inputs.Count == 2)
        {
            return Generic(nameof(HashJoin), types, relational);
        }

        // Overloads with a comparer have more arguments: they stay on LINQ to Objects.
        if (calls.All(call => SetOperators.Contains(call.Method.Name) && call.Arguments.Count == (call.Method.Name == "Distinct" ? 1 : 2)))
        {
            // A run ending in Concat keeps the duplicates of the whole; one with a Union or
            // Distinct below a Concat is neither form.
            return calls.All(call => call.Method.Name == "Concat") ? Generic(nameof(Concatenation), [relational.ElementType], relational)
                : top.Method.Name != "Concat" ? Generic(nameof(DistinctRecords), [relational.ElementType], relational)
                : null;
        }

        if (calls.Count >= 2 && top.Method.Name == "Take" && top.Arguments[1] is ConstantExpression &&
            calls[0].Method.Name is "OrderBy" or "OrderByDescending" &&
            calls.Skip(1).SkipLast(1).All(call => call.Method.Name is "ThenBy" or "ThenByDescending") &&
            calls.SkipLast(1).All(call => call.Arguments.Count == 2) && relational.Inputs.Count == 1)
        {
            return Generic(nameof(TopOf), [relational.ElementType], relational);
        }

        return null;
    }

    private PlanNode HashJoin<TOuter, TInner, TKey, TResult>(LogicalNode node)
    {
        var relational = (RelationalOperator)node;
        var join = relational.Calls[0];
        return new HashJoin<TOuter, TInner, TKey, TResult>(
            Compile(relational.Inputs[0]),
            Compile(relational.Inputs[1]),
            (Func<TOuter, TKey>)Lambda(join.Arguments[2]).Compile(),
            (Func<TInner, TKey>)Lambda(join.Arguments[3]).Compile(),
            (Func<TOuter, TInner, TResult>)Lambda(join.Arguments[4]).Compile(),
            relational.Detail);
    }

    private PlanNode Concatenation<T>(LogicalNode node)
    {
        var relational = (RelationalOperator)node;
        return new ConcatNode<T>(relational.Inputs.Select(Compile).ToList(), relational.Detail);
    }

    private PlanNode DistinctRecords<T>(LogicalNode node)
    {
        var relational = (RelationalOperator)node;
        return new HashDistinct<T>(relational.Inputs.Select(Compile).ToList(), relational.Detail);
    }

    /// <summary>
    /// The key chain compiled into one comparison with every key selector's body inlined:
    /// <c>(a, b) =&gt; { c = Comparer&lt;K1&gt;.Default.Compare(k1(a), k1(b)); if (c != 0) return ±c; ... return 0; }</c>.
    /// </summary>
    private PlanNode TopOf<T>(LogicalNode node)
    {
        var relational = (RelationalOperator)node;
        var a = Expression.Parameter(typeof(T), "a");
        var b = Expression.Parameter(typeof(T), "b");
        var c = Expression.Variable(typeof(int), "c");
        var done = Expression.Label(typeof(int), "done");
        var body = new List<Expression>();
        foreach (var call in relational.Calls.SkipLast(1))
        {
            var key = Lambda(call.Arguments[1]);
            var comparer = typeof(Comparer<>).MakeGenericType(key.ReturnType);
            var compare = Expression.Call(
                Expression.Property(null, comparer, nameof(Comparer<int>.Default)),
                comparer.GetMethod(nameof(Comparer<int>.Compare))!,
                ParameterReplacer.Inline(key, a),
                ParameterReplacer.Inline(key, b));
            var descending = call.Method.Name.EndsWith("Descending", StringComparison.Ordinal);

            // Inverted as a sign, never negated: a comparer may return int.MinValue.
            var result = descending ? Expression.Condition(Expression.GreaterThan(c, Expression.Constant(0)), Expression.Constant(-1), Expression.Constant(1)) : (Expression)c;
            body.Add(Expression.Assign(c, compare));
            body.Add(Expression.IfThen(Expression.NotEqual(c, Expression.Constant(0)), Expression.Return(done, result)));
        }

        body.Add(Expression.Label(done, Expression.Constant(0)));
        var comparison = Expression.Lambda<Func<T, T, int>>(Expression.Block([c], body), a, b).Compile();
        var count = (int)((ConstantExpression)relational.Calls[^1].Arguments[1]).Value!;
        return new TopK<T>(Compile(relational.Inputs[0]), count, comparison, relational.Detail);
    }
}
