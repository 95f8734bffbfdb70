using System.Linq.Expressions;
using System.Reflection;
using StreamLinq.Query.Logical;
using static StreamLinq.Query.ExpressionShapes;

namespace StreamLinq.Query;

/// <summary>
/// Rewrites a run of stream operators into the same query over LINQ to Objects, the way
/// <see cref="EnumerableQuery{T}"/> rewrites Queryable calls: each operator becomes the
/// <see cref="Enumerable"/> method of the same name and shape, its quoted lambdas become
/// delegates, and every stream it reads that is not part of the run becomes an input array.
/// </summary>
internal sealed class EnumerableTranslator(Func<Expression, LogicalNode> planInput)
{
    private readonly List<LogicalNode> _inputs = [];
    private readonly List<MethodCallExpression> _calls = [];
    private readonly Dictionary<MethodCallExpression, string> _shown = new(ReferenceEqualityComparer.Instance);

    public ParameterExpression InputsParameter { get; } = Expression.Parameter(typeof(Array[]), "inputs");

    /// <summary>The streams the run reads that are not part of it, as logical nodes; their arrays are the query's inputs, in this order.</summary>
    public IReadOnlyList<LogicalNode> Inputs => _inputs;

    /// <summary>The operator calls of the run, innermost first.</summary>
    public IReadOnlyList<MethodCallExpression> Calls => _calls;

    public string Detail => string.Join(" -> ", _calls.Select(call => _shown.GetValueOrDefault(call) ?? PlanText.Call(call)));

    /// <summary>Whether the call runs through LINQ to Objects rather than a fused loop.</summary>
    public static bool Handles(MethodCallExpression call) =>
        call.Method.DeclaringType == typeof(DStreamQueryable) && !IsStateless(call) && HashAggregatePlanner.TryCreate(call) is null && !QueryPlanner.IsStatefulOperator(call) && !BatchAggregatePlanner.Handles(call);

    /// <summary>The LINQ to Objects query equivalent to <paramref name="call"/>, over <see cref="InputsParameter"/>.</summary>
    public Expression Translate(MethodCallExpression call)
    {
        var arguments = call.Arguments.Select(Argument).ToArray();
        _calls.Add(call);
        var types = call.Method.GetGenericArguments();
        return call.Method.Name switch
        {
            "Count" => Expression.NewArrayInit(typeof(long), Expression.Call(typeof(Enumerable), nameof(Enumerable.LongCount), types, arguments)),
            "Aggregate" => Expression.NewArrayInit(types[1], Expression.Call(typeof(Enumerable), nameof(Enumerable.Aggregate), types, arguments)),
            "Reduce" => Expression.Call(typeof(EnumerableTranslator).GetMethod(nameof(ReduceBatch), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(types), arguments),
            "ReduceByKey" => Expression.Call(typeof(EnumerableTranslator).GetMethod(nameof(ReduceByKeyBatch), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(types), arguments),
            "Transform" => TranslateTransform(call, types, arguments),
            _ => Expression.Call(FindEnumerableMethod(call.Method.Name, types, arguments), arguments),
        };
    }

    private Expression Argument(Expression argument)
    {
        if (!typeof(IDStream).IsAssignableFrom(argument.Type))
        {
            return argument switch
            {
                UnaryExpression { NodeType: ExpressionType.Quote } quote => quote.Operand,
                ConstantExpression { Value: IQueryable data } => Expression.Constant(StaticQuery.Prepare(data), argument.Type),
                _ => argument,
            };
        }

        if (IsOperator(argument, out var call) && Handles(call))
        {
            return Translate(call);
        }

        if (argument.Type.IsGenericType && argument.Type.GetGenericTypeDefinition() == typeof(IOrderedDStream<>))
        {
            throw new NotSupportedException($"ThenBy must follow OrderBy, OrderByDescending or another ThenBy directly; found {PlanText.Of(argument)}.");
        }

        var node = planInput(argument);
        _inputs.Add(node);
        return Expression.Convert(
            Expression.ArrayIndex(InputsParameter, Expression.Constant(_inputs.Count - 1)),
            typeof(IEnumerable<>).MakeGenericType(node.ElementType));
    }

    /// <summary>The <see cref="Enumerable"/> method named <paramref name="name"/> that takes <paramref name="arguments"/>.</summary>
    internal static MethodInfo FindEnumerableMethod(string name, Type[] types, Expression[] arguments)
    {
        foreach (var method in typeof(Enumerable).GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            if (method.Name != name || method.IsGenericMethodDefinition != (types.Length > 0) ||
                (types.Length > 0 && method.GetGenericArguments().Length != types.Length))
            {
                continue;
            }

            var parameters = method.GetParameters();
            if (parameters.Length != arguments.Length)
            {
                continue;
            }

            MethodInfo closed;
            try
            {
                closed = types.Length == 0 ? method : method.MakeGenericMethod(types);
            }
            catch (ArgumentException)
            {
                continue; // a constraint the arguments do not meet
            }

            if (closed.GetParameters().Zip(arguments).All(p => p.First.ParameterType.IsAssignableFrom(p.Second.Type)))
            {
                return closed;
            }
        }

        throw new NotSupportedException($"No LINQ to Objects equivalent of {name} with these arguments.");
    }

    /// <summary>
    /// A transform runs as a <see cref="CapturedTransform{TSource, TResult}"/>: its query compiled
    /// once rather than recompiled by <see cref="EnumerableQuery{T}"/> at every batch.
    /// </summary>
    private Expression TranslateTransform(MethodCallExpression call, Type[] types, Expression[] arguments)
    {
        var function = ((ConstantExpression)arguments[1]).Value!;
        var captured = Activator.CreateInstance(typeof(CapturedTransform<,>).MakeGenericType(types), function)!;
        _shown[call] = (string)captured.GetType().GetProperty(nameof(CapturedTransform<int, int>.Text))!.GetValue(captured)!;
        return Expression.Call(Expression.Constant(captured), nameof(CapturedTransform<int, int>.Run), null, arguments[0]);
    }

    private static IEnumerable<KeyValuePair<TKey, TValue>> ReduceByKeyBatch<TKey, TValue>(IEnumerable<KeyValuePair<TKey, TValue>> source, Func<TValue, TValue, TValue> func) =>
        source.GroupBy(p => p.Key, p => p.Value).Select(g => new KeyValuePair<TKey, TValue>(g.Key, g.Aggregate(func)));

    private static TSource[] ReduceBatch<TSource>(IEnumerable<TSource> source, Func<TSource, TSource, TSource> func)
    {
        using var e = source.GetEnumerator();
        if (!e.MoveNext())
        {
            return [];
        }

        var result = e.Current;
        while (e.MoveNext())
        {
            result = func(result, e.Current);
        }

        return [result];
    }
}
