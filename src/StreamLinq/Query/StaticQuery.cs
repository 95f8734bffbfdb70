using System.Collections;
using System.Linq.Expressions;

namespace StreamLinq.Query;

/// <summary>
/// Static data given as an in-memory query (<c>list.AsQueryable().Where(...)</c>, an
/// <see cref="EnumerableQuery{T}"/> with operators): enumerating it directly would compile its
/// tree again at every batch, as <see cref="EnumerableQuery{T}"/> does at every enumeration. It is
/// rewritten into LINQ to Objects and compiled once; each batch runs the compiled query, so it still
/// reads the collection's current contents.
/// </summary>
internal static class StaticQuery
{
    /// <summary><paramref name="data"/>, or the same query compiled once when it is an in-memory query with operators.</summary>
    public static object Prepare(object data)
    {
        if (data is not IQueryable query || query.Expression is ConstantExpression ||
            !data.GetType().IsGenericType || data.GetType().GetGenericTypeDefinition() != typeof(EnumerableQuery<>))
        {
            return data;
        }

        var sequence = typeof(IEnumerable<>).MakeGenericType(query.ElementType);
        try
        {
            var body = new QueryableToEnumerable().Visit(query.Expression);
            if (!sequence.IsAssignableFrom(body.Type))
            {
                return data;
            }

            var run = Expression.Lambda(typeof(Func<>).MakeGenericType(sequence), Expression.Convert(body, sequence)).Compile();
            return Activator.CreateInstance(typeof(Compiled<>).MakeGenericType(query.ElementType), run)!;
        }
        catch (Exception error) when (error is ArgumentException or InvalidOperationException or NotSupportedException)
        {
            return data; // a shape LINQ to Objects has no equivalent for: left to EnumerableQuery, as before
        }
    }

    private sealed class Compiled<T>(Func<IEnumerable<T>> run) : IEnumerable<T>
    {
        public IEnumerator<T> GetEnumerator() => run().GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>Queryable calls over queryables become the Enumerable calls of the same name and shape, as EnumerableQuery rewrites them.</summary>
    private sealed class QueryableToEnumerable : ExpressionVisitor
    {
        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            if (node.Method.DeclaringType != typeof(Queryable) || node.Arguments.Count == 0 || !typeof(IQueryable).IsAssignableFrom(node.Arguments[0].Type))
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
    }
}
