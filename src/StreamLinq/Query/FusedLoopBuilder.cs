using System.Linq.Expressions;
using static StreamLinq.Query.ExpressionShapes;

namespace StreamLinq.Query;

/// <summary>
/// Builds the body of a fused stage: one loop over a range of the input array in which every
/// Where, Select and SelectMany of the chain is inlined (the lambdas' bodies substituted, not
/// called), ending in an <c>emit</c> statement for each surviving record.
/// </summary>
internal static class FusedLoopBuilder
{
    /// <summary>
    /// <c>for (i = start; i &lt; end; i++) { x = items[i]; ...ops...; emit(value); }</c>
    /// </summary>
    /// <param name="items">The input array.</param>
    /// <param name="start">The first index of the range.</param>
    /// <param name="end">One past the last index.</param>
    /// <param name="ops">The Where/Select/SelectMany calls, innermost first.</param>
    /// <param name="emit">The statement for one output value (a variable).</param>
    public static Expression Loop(ParameterExpression items, ParameterExpression start, ParameterExpression end, IReadOnlyList<MethodCallExpression> ops, Func<Expression, Expression> emit)
    {
        var i = Expression.Variable(typeof(int), "i");
        var x = Expression.Variable(items.Type.GetElementType()!, "x");
        var breakLabel = Expression.Label("break");
        var continueLabel = Expression.Label("continue");
        var body = Expression.Block(
            [x],
            Expression.IfThen(Expression.GreaterThanOrEqual(i, end), Expression.Break(breakLabel)),
            Expression.Assign(x, Expression.ArrayIndex(items, i)),
            Expression.PreIncrementAssign(i),
            Step(ops, 0, x, continueLabel, emit));
        return Expression.Block(
            [i],
            Expression.Assign(i, start),
            Expression.Loop(body, breakLabel, continueLabel));
    }

    private static Expression Step(IReadOnlyList<MethodCallExpression> ops, int k, ParameterExpression value, LabelTarget next, Func<Expression, Expression> emit)
    {
        if (k == ops.Count)
        {
            return emit(value);
        }

        var op = ops[k];
        switch (op.Method.Name)
        {
            case "Where":
                return Expression.Block(
                    Expression.IfThen(Expression.Not(ParameterReplacer.Inline(Lambda(op.Arguments[1]), value)), Expression.Continue(next)),
                    Step(ops, k + 1, value, next, emit));

            case "Select":
            {
                var selector = Lambda(op.Arguments[1]);
                var y = Expression.Variable(selector.ReturnType, "y" + k);
                return Expression.Block(
                    [y],
                    Expression.Assign(y, ParameterReplacer.Inline(selector, value)),
                    Step(ops, k + 1, y, next, emit));
            }

            case "SelectMany":
                return FlatMap(ops, k, value, emit);

            default:
                throw new InvalidOperationException($"{op.Method.Name} cannot be fused.");
        }
    }

    private static Expression FlatMap(IReadOnlyList<MethodCallExpression> ops, int k, ParameterExpression value, Func<Expression, Expression> emit)
    {
        var op = ops[k];
        var collectionSelector = Lambda(op.Arguments[1]);
        var resultSelector = op.Arguments.Count == 3 ? Lambda(op.Arguments[2]) : null;
        var collection = StripConvert(ParameterReplacer.Inline(collectionSelector, value));
        var itemType = SequenceElementType(collection.Type)!;
        var c = Expression.Variable(collection.Type, "c" + k);
        var item = Expression.Variable(itemType, "e" + k);
        var breakLabel = Expression.Label("break" + k);
        var continueLabel = Expression.Label("continue" + k);

        Expression Inner()
        {
            if (resultSelector is null)
            {
                return Step(ops, k + 1, item, continueLabel, emit);
            }

            var r = Expression.Variable(resultSelector.ReturnType, "r" + k);
            return Expression.Block(
                [r],
                Expression.Assign(r, ParameterReplacer.Inline(resultSelector, value, item)),
                Step(ops, k + 1, r, continueLabel, emit));
        }

        if (collection.Type.IsSZArray && collection.Type.GetElementType() == itemType)
        {
            var j = Expression.Variable(typeof(int), "j" + k);
            return Expression.Block(
                [c, j],
                Expression.Assign(c, collection),
                Expression.Assign(j, Expression.Constant(0)),
                Expression.Loop(
                    Expression.Block(
                        [item],
                        Expression.IfThen(Expression.GreaterThanOrEqual(j, Expression.ArrayLength(c)), Expression.Break(breakLabel)),
                        Expression.Assign(item, Expression.ArrayIndex(c, j)),
                        Expression.PreIncrementAssign(j),
                        Inner()),
                    breakLabel,
                    continueLabel));
        }

        var enumerableType = typeof(IEnumerable<>).MakeGenericType(itemType);
        var enumeratorType = typeof(IEnumerator<>).MakeGenericType(itemType);
        var enumerator = Expression.Variable(enumeratorType, "en" + k);
        return Expression.Block(
            [c, enumerator],
            Expression.Assign(c, collection),
            Expression.Assign(enumerator, Expression.Call(Expression.Convert(c, enumerableType), enumerableType.GetMethod(nameof(IEnumerable<int>.GetEnumerator))!)),
            Expression.TryFinally(
                Expression.Loop(
                    Expression.Block(
                        [item],
                        Expression.IfThen(
                            Expression.Not(Expression.Call(enumerator, typeof(System.Collections.IEnumerator).GetMethod(nameof(System.Collections.IEnumerator.MoveNext))!)),
                            Expression.Break(breakLabel)),
                        Expression.Assign(item, Expression.Property(enumerator, nameof(IEnumerator<int>.Current))),
                        Inner()),
                    breakLabel,
                    continueLabel),
                Expression.Call(enumerator, typeof(IDisposable).GetMethod(nameof(IDisposable.Dispose))!)));
    }
}
