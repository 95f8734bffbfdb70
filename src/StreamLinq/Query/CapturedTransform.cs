using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace StreamLinq.Query;

/// <summary>
/// A <c>Transform(q =&gt; ...)</c> compiled like the stream's own operators rather than run
/// through an <see cref="EnumerableQuery{T}"/>, which recompiles its tree at every enumeration.
/// </summary>
/// <remarks>
/// <para>Each batch, the user's function is called over a placeholder queryable whose expression
/// is a parameter: that only builds a tree (microseconds). The tree is rewritten from
/// <see cref="Queryable"/> to <see cref="Enumerable"/> calls over the batch and compiled once; as
/// long as the function builds the same query (same operators, methods, members and constant
/// values), the compiled delegate runs. A function that builds a different query (it decided on
/// a clock, a counter, a value it copied) gets its new query compiled, so the results are always
/// those of the function called on that batch.</para>
/// <para>When no query can be captured (the function enumerates the batch or throws over the
/// placeholder, returns null or a query that does not start from the batch, captures the batch
/// in a lambda, or hands it to a method that is not a query operator), that batch runs the
/// function over the batch's records, as <see cref="EnumerableQuery{T}"/> would.</para>
/// </remarks>
internal sealed class CapturedTransform<TSource, TResult>
{
    private readonly Func<IQueryable<TSource>, IQueryable<TResult>> _function;
    private readonly ParameterExpression _placeholder = Expression.Parameter(typeof(IQueryable<TSource>), "batch");
    private readonly ParameterExpression _input = Expression.Parameter(typeof(IEnumerable<TSource>), "batch");
    private (List<Expression> Nodes, Func<IEnumerable<TSource>, IEnumerable<TResult>> Run)? _compiled;

    public CapturedTransform(Func<IQueryable<TSource>, IQueryable<TResult>> function)
    {
        _function = function;
        if (Build(out var reason) is { } tree && Check(tree, out reason) && Compile(tree, out reason) is { } run)
        {
            _compiled = (Flatten(tree), run);
            Text = $"Transform({PlanText.Of(Expression.Lambda(tree, _placeholder))}) compiled, recompiled if the function builds another query";
        }
        else
        {
            Text = $"Transform(function) called per batch: {reason}";
        }
    }

    /// <summary>How Explain shows the transform.</summary>
    public string Text { get; }

    /// <summary>Whether the query was captured when the plan was built.</summary>
    public bool IsCompiled => _compiled is not null;

    /// <summary>How many times a query was compiled; once while the function builds the same query.</summary>
    public int Compilations { get; private set; }

    public IEnumerable<TResult> Run(IEnumerable<TSource> batch)
    {
        if (_compiled is { } compiled && Build(out _) is { } tree)
        {
            var nodes = Flatten(tree);
            if (new StructuralComparer(_placeholder).Same(nodes, compiled.Nodes))
            {
                return compiled.Run(batch);
            }

            if (Check(tree, out _) && Compile(tree, out _) is { } run)
            {
                _compiled = (nodes, run);
                return run(batch);
            }
        }

        return _function(batch.AsQueryable()) ?? throw new InvalidOperationException("The Transform function returned null.");
    }

    private Expression? Build(out string? reason)
    {
        IQueryable<TResult>? result;
        try
        {
            result = _function(new EnumerableQuery<TSource>(_placeholder));
        }
        catch (Exception)
        {
            // Over the real batch it may well succeed (it enumerated it); if not, it fails that batch then.
            reason = "it did not build a query over a placeholder batch (it enumerated it, or threw)";
            return null;
        }

        if (result is not EnumerableQuery<TResult> query)
        {
            reason = result is null ? "it returned null" : "it returned a query of another provider";
            return null;
        }

        reason = null;
        return ((IQueryable)query).Expression;
    }

    /// <summary>Whether the tree is a query over the placeholder that does not leak it; a tree equal to a checked one is not checked again.</summary>
    private bool Check(Expression tree, out string? reason)
    {
        reason = !Contains(tree, _placeholder) ? "its query does not start from the batch"
            : Escapes(tree, _placeholder) ? "the batch is captured inside a lambda"
            : null;
        return reason is null;
    }

    private Func<IEnumerable<TSource>, IEnumerable<TResult>>? Compile(Expression tree, out string? reason)
    {
        Expression body;
        try
        {
            body = new QueryableToEnumerable(_placeholder, _input).Visit(tree);
        }
        catch (Exception error) when (error is ArgumentException or InvalidOperationException or NotSupportedException)
        {
            reason = "the batch is used outside a query operator";
            return null;
        }

        if (Contains(body, _placeholder) || !typeof(IEnumerable<TResult>).IsAssignableFrom(body.Type))
        {
            reason = "the batch is used outside a query operator";
            return null;
        }

        reason = null;
        Compilations++;
        return Expression.Lambda<Func<IEnumerable<TSource>, IEnumerable<TResult>>>(
            body.Type == typeof(IEnumerable<TResult>) ? body : Expression.Convert(body, typeof(IEnumerable<TResult>)),
            _input).Compile();
    }

    private static bool IsSelfReferential(IQueryable query) => query.Expression is ConstantExpression { Value: var value } && ReferenceEquals(value, query);

    /// <summary>The collection an <c>AsQueryable()</c> wraps, read from EnumerableQuery's field; null for any other queryable.</summary>
    private static object? InMemorySource(IQueryable query)
    {
        var type = query.GetType();
        if (!IsSelfReferential(query) || !type.IsGenericType || type.GetGenericTypeDefinition() != typeof(EnumerableQuery<>))
        {
            return null;
        }

        return type.GetField("_enumerable", BindingFlags.Instance | BindingFlags.NonPublic)?.GetValue(query);
    }

    private static List<Expression> Flatten(Expression tree)
    {
        var nodes = new NodeCollector();
        nodes.Visit(tree);
        return nodes.Nodes;
    }

    private static bool Contains(Expression tree, ParameterExpression parameter)
    {
        var finder = new Finder(parameter);
        finder.Visit(tree);
        return finder.Found;
    }

    /// <summary>Whether a constant (or a closure's field) holds a queryable built over the placeholder.</summary>
    private static bool Escapes(Expression tree, ParameterExpression placeholder)
    {
        var constants = new ConstantCollector();
        constants.Visit(tree);
        return constants.Values.Any(value => HoldsPlaceholder(value, placeholder, depth: 0));
    }

    private static bool HoldsPlaceholder(object? value, ParameterExpression placeholder, int depth)
    {
        switch (value)
        {
            case null:
                return false;
            case IQueryable query:
                return Contains(query.Expression, placeholder);
            case Expression expression:
                return Contains(expression, placeholder);
        }

        var type = value.GetType();
        if (depth > 4 || !type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false))
        {
            return false;
        }

        return type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Any(field => HoldsPlaceholder(field.GetValue(value), placeholder, depth + 1));
    }

    private sealed class Finder(ParameterExpression parameter) : ExpressionVisitor
    {
        public bool Found { get; private set; }

        protected override Expression VisitParameter(ParameterExpression node)
        {
            Found |= node == parameter;
            return node;
        }
    }

    private sealed class NodeCollector : ExpressionVisitor
    {
        public List<Expression> Nodes { get; } = [];

        public override Expression? Visit(Expression? node)
        {
            if (node is not null)
            {
                Nodes.Add(node);
            }

            return base.Visit(node);
        }
    }

    private sealed class ConstantCollector : ExpressionVisitor
    {
        public List<object?> Values { get; } = [];

        protected override Expression VisitConstant(ConstantExpression node)
        {
            Values.Add(node.Value);
            return node;
        }
    }

    /// <summary>
    /// Rewrites the Queryable calls that read the placeholder into the Enumerable calls of the
    /// same name and shape over <c>input</c>, as <see cref="EnumerableQuery{T}"/> does at every
    /// enumeration, but once; so are the Queryable calls outside lambdas over in-memory data
    /// (<c>list.AsQueryable().Where(...)</c> joined in), which would otherwise compile at every batch.
    /// Queryable calls over other sources are left to their own provider.
    /// </summary>
    private sealed class QueryableToEnumerable(ParameterExpression placeholder, Expression input) : ExpressionVisitor
    {
        private int _lambdaDepth;

        protected override Expression VisitParameter(ParameterExpression node) => node == placeholder ? input : node;

        protected override Expression VisitLambda<T>(Expression<T> node)
        {
            _lambdaDepth++;
            try
            {
                return base.VisitLambda(node);
            }
            finally
            {
                _lambdaDepth--;
            }
        }

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            if (node.Method.DeclaringType != typeof(Queryable) ||
                !(node.Arguments.Any(a => Contains(a, placeholder)) || (_lambdaDepth == 0 && OverInMemoryData(node))))
            {
                return base.VisitMethodCall(node);
            }

            var arguments = node.Arguments
                .Select(Visit)
                .Select(a => a is UnaryExpression { NodeType: ExpressionType.Quote } quote ? quote.Operand : a!)
                .ToArray();
            if (node.Method.Name == nameof(Queryable.AsQueryable))
            {
                return arguments[0];
            }

            var types = node.Method.IsGenericMethod ? node.Method.GetGenericArguments() : [];
            return Expression.Call(EnumerableTranslator.FindEnumerableMethod(node.Method.Name, types, arguments), arguments);
        }

        private static bool OverInMemoryData(MethodCallExpression call) => call.Arguments.Count > 0 && call.Arguments[0] switch
        {
            ConstantExpression { Value: { } data } => data.GetType().IsGenericType && data.GetType().GetGenericTypeDefinition() == typeof(EnumerableQuery<>),
            MethodCallExpression inner => inner.Method.DeclaringType == typeof(Queryable) && OverInMemoryData(inner),
            _ => false,
        };
    }

    /// <summary>
    /// Whether two values of the scalars whose equality ignores what their results show are the
    /// same value: 1.0m and 1.00m, 0.0 and -0.0, two offsets or kinds of one instant are equal,
    /// yet print, divide or convert differently. Null for other values, which <c>Equals</c> decides.
    /// </summary>
    private static bool? Identical(object? a, object? b) => (a, b) switch
    {
        (double x, double y) => BitConverter.DoubleToInt64Bits(x) == BitConverter.DoubleToInt64Bits(y),
        (float x, float y) => BitConverter.SingleToInt32Bits(x) == BitConverter.SingleToInt32Bits(y),
        (Half x, Half y) => BitConverter.HalfToInt16Bits(x) == BitConverter.HalfToInt16Bits(y),
        (decimal x, decimal y) => decimal.GetBits(x).AsSpan().SequenceEqual(decimal.GetBits(y)),
        (DateTime x, DateTime y) => x.Ticks == y.Ticks && x.Kind == y.Kind,
        (DateTimeOffset x, DateTimeOffset y) => x.Ticks == y.Ticks && x.Offset == y.Offset,
        _ => null,
    };

    /// <summary>
    /// Whether two trees are the same query: the same nodes, methods, members and constants, the
    /// same placeholder. Closures made afresh by each call are compared by the values they hold.
    /// </summary>
    private sealed class StructuralComparer(ParameterExpression placeholder)
    {
        public bool Same(List<Expression> left, List<Expression> right)
        {
            if (left.Count != right.Count)
            {
                return false;
            }

            for (var i = 0; i < left.Count; i++)
            {
                if (!SameNode(left[i], right[i]))
                {
                    return false;
                }
            }

            return true;
        }

        private bool SameNode(Expression a, Expression b)
        {
            if (a.NodeType != b.NodeType || a.Type != b.Type)
            {
                return false;
            }

            return (a, b) switch
            {
                (ParameterExpression p, ParameterExpression q) => p == q || (p != placeholder && q != placeholder && p.Name == q.Name),
                (ConstantExpression p, ConstantExpression q) => SameValue(p.Value, q.Value, 0),
                (MethodCallExpression p, MethodCallExpression q) => p.Method == q.Method,
                (MemberExpression p, MemberExpression q) => p.Member == q.Member,
                (NewExpression p, NewExpression q) => p.Constructor == q.Constructor,
                (BinaryExpression p, BinaryExpression q) => p.Method == q.Method,
                (UnaryExpression p, UnaryExpression q) => p.Method == q.Method,
                (MemberInitExpression p, MemberInitExpression q) => p.Bindings.Select(x => x.Member).SequenceEqual(q.Bindings.Select(x => x.Member)),
                (TypeBinaryExpression p, TypeBinaryExpression q) => p.TypeOperand == q.TypeOperand,
                _ => true,
            };
        }

        private bool SameValue(object? a, object? b, int depth)
        {
            if (ReferenceEquals(a, b))
            {
                return true;
            }

            if (Identical(a, b) is { } identical)
            {
                return identical;
            }

            if (Equals(a, b))
            {
                return true;
            }

            if (a is null || b is null || a.GetType() != b.GetType())
            {
                return false;
            }

            if (a is IQueryable p && b is IQueryable q)
            {
                // list.AsQueryable() is a new EnumerableQuery at every call, whose tree is itself:
                // the same data when it wraps the same collection.
                if (InMemorySource(p) is { } left && InMemorySource(q) is { } right)
                {
                    return ReferenceEquals(left, right);
                }

                return depth <= 4 && !IsSelfReferential(p) && !IsSelfReferential(q) && Same(Flatten(p.Expression), Flatten(q.Expression));
            }

            var type = a.GetType();
            if (depth > 4 || !type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false))
            {
                return false;
            }

            // A closure made afresh by each call: the same query when it holds the same values.
            return type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
                .All(field => SameValue(field.GetValue(a), field.GetValue(b), depth + 1));
        }
    }
}
