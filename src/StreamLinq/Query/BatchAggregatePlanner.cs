using System.Linq.Expressions;
using StreamLinq.Execution;
using static StreamLinq.Query.ExpressionShapes;

namespace StreamLinq.Query;

/// <summary>
/// Recognises a per-batch global aggregate (<c>Count</c>, <c>Sum</c>, <c>Min</c>, <c>Max</c>,
/// <c>Average</c> on a stream) and supplies the pieces of its compiled loop: the accumulator's
/// type, the per-record update, the merge of two partitions' partials and the final result.
/// The accumulator is a local of the loop, so a record costs an add, not a delegate call.
/// </summary>
internal sealed class BatchAggregatePlanner
{
    private BatchAggregatePlanner(MethodCallExpression call, AggregateKind kind, LambdaExpression? selector, Type valueType, Type storageType, Type resultType)
    {
        Call = call;
        Kind = kind;
        Selector = selector;
        ValueType = valueType;
        StorageType = storageType;
        ResultType = resultType;
    }

    public MethodCallExpression Call { get; }

    public AggregateKind Kind { get; }

    /// <summary>The value read from each record; null when the records are the values.</summary>
    public LambdaExpression? Selector { get; }

    public Type ValueType { get; }

    /// <summary>The accumulator's type: for sums and averages <see cref="WideSum.StorageFor"/> (a wider type, so partitions' partials cannot overflow), else the value's type.</summary>
    public Type StorageType { get; }

    public Type ResultType { get; }

    /// <summary>The aggregated stream: the call's source.</summary>
    public Expression Source => Call.Arguments[0];

    /// <summary>Whether this is a floating-point sum or average, whose bits depend on where the batch is cut.</summary>
    public bool SumsFloatingPoint => Kind is AggregateKind.Sum or AggregateKind.Average && IsFloating(StorageType);

    /// <summary>Whether an empty batch still yields a record (0 for Count and Sum).</summary>
    public bool YieldsOnEmpty => Kind is AggregateKind.Count or AggregateKind.Sum;

    public string Detail => PlanText.Call(Call);

    /// <summary>Whether <paramref name="call"/> is a per-batch global aggregate this class compiles.</summary>
    public static bool Handles(MethodCallExpression call) =>
        call.Method.DeclaringType == typeof(DStreamQueryable)
        && call.Method.Name is "Count" or "Sum" or "Min" or "Max" or "Average"
        && call.Arguments.Count <= 2;

    /// <summary>The aggregate <paramref name="call"/> computes, if it is one.</summary>
    public static BatchAggregatePlanner? TryCreate(MethodCallExpression call)
    {
        if (!Handles(call))
        {
            return null;
        }

        var kind = Enum.Parse<AggregateKind>(call.Method.Name);
        var selector = call.Arguments.Count == 2 ? Lambda(call.Arguments[1]) : null;
        var valueType = selector?.ReturnType ?? SequenceElementTypeOfStream(call.Arguments[0].Type);
        var storage = kind switch
        {
            AggregateKind.Count => typeof(long),
            AggregateKind.Sum or AggregateKind.Average => WideSum.StorageFor(valueType),
            _ => valueType,
        };
        return new BatchAggregatePlanner(call, kind, selector, valueType, storage, call.Method.ReturnType.GetGenericArguments()[0]);
    }

    /// <summary>The update of the accumulator for one record; <paramref name="count"/> has already been incremented.</summary>
    public Expression Update(Expression record, ParameterExpression count, ParameterExpression accumulator)
    {
        if (Kind == AggregateKind.Count)
        {
            return Expression.Empty();
        }

        var value = Expression.Variable(StorageType, "v");
        var read = Selector is null ? record : ParameterReplacer.Inline(Selector, record);
        var first = Expression.Equal(count, Expression.Constant(1L));
        Expression next = Kind switch
        {
            AggregateKind.Sum or AggregateKind.Average => WideSum.Add(accumulator, value),
            AggregateKind.Min => Expression.Condition(Expression.OrElse(first, Less(value, accumulator, value)), value, accumulator),
            AggregateKind.Max => Expression.Condition(Expression.OrElse(first, Greater(value, accumulator, accumulator)), value, accumulator),
            _ => throw new InvalidOperationException(Kind.ToString()),
        };
        return Expression.Block(
            [value],
            Expression.Assign(value, read.Type == StorageType ? read : Expression.Convert(read, StorageType)),
            Expression.Assign(accumulator, next));
    }

    /// <summary>
    /// Whether this sums <c>long</c>s (kept in <see cref="Int128"/>): the loop adds them into one
    /// checked <c>long</c> (<see cref="UpdateChecked"/>), and a partition whose sum overflows it
    /// runs again keeping the sum in two <c>long</c> halves (<see cref="UpdateWide"/>).
    /// </summary>
    public bool SumsLong => StorageType == typeof(Int128);

    /// <summary>
    /// Whether the loop counts the values: a sum's partial needs no count (the sum of no value is
    /// 0, and an empty batch yields it), so its loop saves an increment per record.
    /// </summary>
    public bool Counts => Kind != AggregateKind.Sum;

    /// <summary>The update of a <c>long</c> sum kept in <paramref name="sum"/>, checked: an <see cref="OverflowException"/> when it leaves the range.</summary>
    public Expression UpdateChecked(Expression record, ParameterExpression sum)
    {
        var read = Selector is null ? record : ParameterReplacer.Inline(Selector, record);
        return Expression.AddAssignChecked(sum, read.Type == typeof(long) ? read : Expression.Convert(read, typeof(long)));
    }

    /// <summary>The update of a <c>long</c> sum kept as <paramref name="low"/> and <paramref name="high"/> (<see cref="WideSum.AddHalves"/>).</summary>
    public Expression UpdateWide(Expression record, ParameterExpression low, ParameterExpression high)
    {
        var value = Expression.Variable(typeof(long), "v");
        var read = Selector is null ? record : ParameterReplacer.Inline(Selector, record);
        return Expression.Block(
            [value],
            Expression.Assign(value, read.Type == typeof(long) ? read : Expression.Convert(read, typeof(long))),
            WideSum.AddHalves(low, high, value));
    }

    /// <summary>Combines two non-empty partials: <c>(left, right)</c>, left from the earlier partition.</summary>
    public LambdaExpression Combine()
    {
        var left = Expression.Parameter(StorageType, "left");
        var right = Expression.Parameter(StorageType, "right");
        Expression body = Kind switch
        {
            AggregateKind.Count => Expression.AddChecked(left, right),
            AggregateKind.Sum or AggregateKind.Average => WideSum.Add(left, right),
            AggregateKind.Min => Expression.Condition(Less(right, left, right), right, left),
            AggregateKind.Max => Expression.Condition(Greater(right, left, left), right, left),
            _ => throw new InvalidOperationException(Kind.ToString()),
        };
        return Expression.Lambda(body, left, right);
    }

    /// <summary>The batch's result from the accumulator and the number of values.</summary>
    public LambdaExpression Finish()
    {
        var accumulator = Expression.Parameter(StorageType, "accumulator");
        var count = Expression.Parameter(typeof(long), "count");
        Expression body = Kind switch
        {
            AggregateKind.Count => count,
            // The range is checked here, on the batch's value, never on a partition's partial.
            AggregateKind.Sum => WideSum.Narrow(accumulator, ResultType),
            AggregateKind.Average => WideSum.Narrow(WideSum.Average(accumulator, count), ResultType),
            _ => accumulator,
        };
        return Expression.Lambda(body, accumulator, count);
    }

    private static bool IsFloating(Type type) => type == typeof(double) || type == typeof(float) || type == typeof(Half);

    // LINQ's NaN rules: any NaN makes the minimum NaN; the maximum is NaN only when every value is.
    private static Expression Less(Expression a, Expression b, Expression nanCandidate) =>
        IsNaN(nanCandidate) is { } isNaN ? Expression.OrElse(Expression.LessThan(a, b), isNaN) : Expression.LessThan(a, b);

    private static Expression Greater(Expression a, Expression b, Expression nanCandidate) =>
        IsNaN(nanCandidate) is { } isNaN ? Expression.OrElse(Expression.GreaterThan(a, b), isNaN) : Expression.GreaterThan(a, b);

    private static Expression? IsNaN(Expression value) =>
        IsFloating(value.Type) && value.Type.GetMethod(nameof(double.IsNaN), [value.Type]) is { } isNaN ? Expression.Call(isNaN, value) : null;

    private static Type SequenceElementTypeOfStream(Type stream) =>
        (stream.IsGenericType && stream.GetGenericTypeDefinition() == typeof(IDStream<>)
            ? stream
            : stream.GetInterfaces().First(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDStream<>)))
        .GetGenericArguments()[0];
}
