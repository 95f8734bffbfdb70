using System.Linq.Expressions;
using StreamLinq.Execution;
using static StreamLinq.Query.ExpressionShapes;

namespace StreamLinq.Query;

/// <summary>The standard aggregates a hash aggregation computes in one pass.</summary>
internal enum AggregateKind
{
    Count,
    CountIf,
    Sum,
    Min,
    Max,
    Average,
}

/// <summary>One aggregate of a group: its kind, the value it reads from each element, and its column.</summary>
internal sealed record AggregateSpec(AggregateKind Kind, LambdaExpression? Selector, Type ValueType, Type ColumnType)
{
    public Type StorageType => AggregateColumn.StorageOf(ColumnType);

    public override string ToString() => Selector is null ? Kind.ToString() : $"{Kind}({PlanText.Of(Selector)})";
}

/// <summary>
/// Recognises <c>GroupBy(key[, element]).Select(g =&gt; ...)</c> (and GroupBy with a result
/// selector) whose result uses the group only through its key and the standard aggregates, and
/// turns it into a single-pass hash aggregation: the per-record update code, the aggregate
/// columns, and the per-group result projection.
/// </summary>
internal sealed class HashAggregatePlanner
{
    private static readonly Type[] Numeric = [typeof(int), typeof(long), typeof(float), typeof(double), typeof(decimal)];

    private HashAggregatePlanner(MethodCallExpression groupBy, LambdaExpression key, LambdaExpression? element, List<AggregateSpec> aggregates, Expression result, ParameterExpression table, ParameterExpression slot, Type resultType)
    {
        GroupBy = groupBy;
        Key = key;
        Element = element;
        Aggregates = aggregates;
        Result = result;
        Table = table;
        Slot = slot;
        ResultType = resultType;
    }

    public MethodCallExpression GroupBy { get; }

    /// <summary>The stream grouped: the GroupBy's source.</summary>
    public Expression Source => GroupBy.Arguments[0];

    public LambdaExpression Key { get; }

    public LambdaExpression? Element { get; }

    /// <summary>The aggregates; column 0 of the table is always the group's record count, these follow.</summary>
    public IReadOnlyList<AggregateSpec> Aggregates { get; }

    /// <summary>Whether an aggregate is a floating-point sum or average, whose bits depend on where the batch is cut.</summary>
    public bool SumsFloatingPoint => Aggregates.Any(a => a.Kind is AggregateKind.Sum or AggregateKind.Average && WideSum.IsFloating(a.StorageType));

    public Type KeyType => Key.ReturnType;

    public Type InputType => Key.Parameters[0].Type;

    public Type ElementType => Element?.ReturnType ?? InputType;

    public Type ResultType { get; }

    /// <summary>The result projection's body, over <see cref="Table"/> and <see cref="Slot"/>.</summary>
    public Expression Result { get; }

    public ParameterExpression Table { get; }

    public ParameterExpression Slot { get; }

    public string Detail =>
        $"key: {PlanText.Of(Key)}{(Element is null ? "" : $", element: {PlanText.Of(Element)}")}; aggregates: {string.Join(", ", Aggregates.Prepend(new AggregateSpec(AggregateKind.Count, null, typeof(long), typeof(SumColumn<long>))))}";

    /// <summary>Recognises the aggregation whose result is <paramref name="call"/>, if it is one.</summary>
    public static HashAggregatePlanner? TryCreate(MethodCallExpression call)
    {
        MethodCallExpression groupBy;
        LambdaExpression result;
        if (call.Method.Name == "Select" && IsOperator(call.Arguments[0], "GroupBy", out var inner) && inner.Arguments.Count <= 3 && !HasResultSelector(inner))
        {
            groupBy = inner;
            result = Lambda(call.Arguments[1]);
        }
        else if (call.Method.Name == "GroupBy" && HasResultSelector(call))
        {
            groupBy = call;
            result = Lambda(call.Arguments[^1]);
        }
        else
        {
            return null;
        }

        var key = Lambda(groupBy.Arguments[1]);
        var element = groupBy.Arguments.Count >= 3 && !(groupBy.Arguments.Count == 3 && HasResultSelector(groupBy)) ? Lambda(groupBy.Arguments[2]) : null;
        var elementType = element?.ReturnType ?? key.Parameters[0].Type;
        var table = Expression.Parameter(typeof(GroupTable<>).MakeGenericType(key.ReturnType), "table");
        var slot = Expression.Parameter(typeof(int), "slot");
        var rewriter = new ResultRewriter(result, table, slot, elementType);
        var body = rewriter.Rewrite();
        return body is null ? null : new HashAggregatePlanner(groupBy, key, element, rewriter.Aggregates, body, table, slot, result.ReturnType);
    }

    private static bool HasResultSelector(MethodCallExpression groupBy) =>
        groupBy.Arguments.Count == 4 || (groupBy.Arguments.Count == 3 && Lambda(groupBy.Arguments[2]).Parameters.Count == 2);

    /// <summary>The columns of a new table: the record count, then one per aggregate.</summary>
    public AggregateColumn[] NewColumns() =>
        [new SumColumn<long>(), .. Aggregates.Select(a => (AggregateColumn)Activator.CreateInstance(a.ColumnType)!)];

    /// <summary>The update of <see cref="Table"/> for one input record <paramref name="value"/>.</summary>
    /// <param name="value">The record.</param>
    /// <param name="columns">The table's columns, loaded once before the loop.</param>
    /// <param name="values">
    /// Each column's <c>Values</c> array (a <see cref="WideSumColumn"/>'s <c>Low</c>), cached in a
    /// local so that a record costs no field load; reloaded after a new group is added, since
    /// adding may grow the arrays.
    /// </param>
    /// <param name="carries">A <see cref="WideSumColumn"/>'s <c>Carry</c> array, cached likewise; null for other columns.</param>
    public Expression Accumulate(Expression value, IReadOnlyList<ParameterExpression> columns, IReadOnlyList<ParameterExpression> values, IReadOnlyList<ParameterExpression?> carries)
    {
        var key = Expression.Variable(KeyType, "key");
        var element = Expression.Variable(ElementType, "element");
        var slot = Expression.Variable(typeof(int), "slot");
        var isNew = Expression.Variable(typeof(bool), "isNew");
        var statements = new List<Expression>
        {
            Expression.Assign(element, Element is null ? value : ParameterReplacer.Inline(Element, value)),
            Expression.Assign(slot, Expression.Call(Table, Table.Type.GetMethod(nameof(GroupTable<int>.FindOrAdd))!, key, isNew)),
            Expression.IfThen(isNew, Expression.Block(columns.SelectMany((column, i) => carries[i] is { } carry
                ? new Expression[] { Expression.Assign(values[i], Expression.Field(column, nameof(WideSumColumn.Low))), Expression.Assign(carry, Expression.Field(column, nameof(WideSumColumn.Carry))) }
                : [Expression.Assign(values[i], Expression.Field(column, "Values"))]))),
        };

        var count = Expression.ArrayAccess(values[0], slot);
        statements.Add(Expression.Assign(count, Expression.Increment(count)));
        for (var i = 0; i < Aggregates.Count; i++)
        {
            statements.Add(carries[i + 1] is { } carry
                ? UpdateWide(Aggregates[i], Expression.ArrayAccess(values[i + 1], slot), Expression.ArrayAccess(carry, slot), element)
                : Update(Aggregates[i], Expression.ArrayAccess(values[i + 1], slot), element, isNew));
        }

        // A table that owns one radix partition of the keys skips the others' values.
        return Expression.Block(
            [key, element, slot, isNew],
            Expression.Assign(key, ParameterReplacer.Inline(Key, value)),
            Expression.IfThen(Expression.Call(Table, Table.Type.GetMethod(nameof(GroupTable<int>.Owns))!, key), Expression.Block(statements)));
    }

    private static Expression Update(AggregateSpec aggregate, Expression cell, Expression element, Expression isNew)
    {
        if (aggregate.Kind == AggregateKind.CountIf)
        {
            return Expression.IfThen(ParameterReplacer.Inline(aggregate.Selector!, element), Expression.Assign(cell, Expression.Increment(cell)));
        }

        var read = aggregate.Selector is null ? element : ParameterReplacer.Inline(aggregate.Selector, element);
        var value = Expression.Variable(aggregate.StorageType, "v");
        var floating = aggregate.StorageType == typeof(double) || aggregate.StorageType == typeof(float);
        Expression next = aggregate.Kind switch
        {
            AggregateKind.Sum or AggregateKind.Average => WideSum.Add(cell, value),
            AggregateKind.Min => Expression.Condition(
                Expression.OrElse(isNew, floating ? Expression.OrElse(Expression.LessThan(value, cell), IsNaN(value)) : Expression.LessThan(value, cell)),
                value,
                cell),
            AggregateKind.Max => Expression.Condition(
                Expression.OrElse(isNew, floating ? Expression.OrElse(Expression.GreaterThan(value, cell), IsNaN(cell)) : Expression.GreaterThan(value, cell)),
                value,
                cell),
            _ => throw new InvalidOperationException(aggregate.Kind.ToString()),
        };
        return Expression.Block(
            [value],
            Expression.Assign(value, read.Type == aggregate.StorageType ? read : Expression.Convert(read, aggregate.StorageType)),
            Expression.Assign(cell, next));
    }

    /// <summary>The update of a <see cref="WideSumColumn"/>: a <c>long</c> added to the slot's low word, wraps counted in its carry.</summary>
    private static Expression UpdateWide(AggregateSpec aggregate, Expression low, Expression carry, Expression element)
    {
        var read = aggregate.Selector is null ? element : ParameterReplacer.Inline(aggregate.Selector, element);
        var value = Expression.Variable(typeof(long), "v");
        return Expression.Block(
            [value],
            Expression.Assign(value, read.Type == typeof(long) ? read : Expression.Convert(read, typeof(long))),
            WideSum.AddWithCarry(low, carry, value));
    }

    private static Expression IsNaN(Expression value) =>
        Expression.Call(value.Type.GetMethod(nameof(double.IsNaN), [value.Type])!, value);

    /// <summary>
    /// Rewrites the result selector: <c>g.Key</c> becomes the slot's key and each aggregate call
    /// becomes a read of its column. Any other use of the group fails the rewrite.
    /// </summary>
    private sealed class ResultRewriter(LambdaExpression result, ParameterExpression table, ParameterExpression slot, Type elementType) : ExpressionVisitor
    {
        private readonly ParameterExpression? _keyParameter = result.Parameters.Count == 2 ? result.Parameters[0] : null;
        private readonly ParameterExpression _group = result.Parameters[^1];
        private bool _failed;

        public List<AggregateSpec> Aggregates { get; } = [];

        public Expression? Rewrite()
        {
            var body = Visit(result.Body);
            return _failed ? null : body;
        }

        protected override Expression VisitParameter(ParameterExpression node)
        {
            if (node == _keyParameter)
            {
                return KeyOfSlot();
            }

            if (node == _group)
            {
                _failed = true;
            }

            return node;
        }

        protected override Expression VisitMember(MemberExpression node) =>
            node.Expression == _group && node.Member.Name == "Key" ? KeyOfSlot() : base.VisitMember(node);

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            if (node.Method.DeclaringType != typeof(Enumerable) || node.Arguments.Count == 0 || StripConvert(node.Arguments[0]) != _group)
            {
                return base.VisitMethodCall(node);
            }

            var selector = node.Arguments.Count == 2 ? node.Arguments[1] as LambdaExpression : null;
            if (node.Arguments.Count == 2 && selector is null)
            {
                return Fail(node);
            }

            switch (node.Method.Name)
            {
                case "Count" or "LongCount" when selector is null:
                    return Convert(Column(0, typeof(SumColumn<long>)), node.Type);
                case "Count" or "LongCount":
                    return Convert(Add(new AggregateSpec(AggregateKind.CountIf, selector, typeof(bool), typeof(SumColumn<long>))), node.Type);
                case "Sum" or "Min" or "Max" or "Average":
                    var valueType = selector?.ReturnType ?? elementType;
                    if (!Numeric.Contains(valueType) || (node.Method.IsGenericMethod && node.Method.GetGenericArguments().Length > 1))
                    {
                        return Fail(node);
                    }

                    var kind = Enum.Parse<AggregateKind>(node.Method.Name);
                    var storage = kind is AggregateKind.Sum or AggregateKind.Average ? WideSum.StorageFor(valueType) : valueType;
                    var columnType = storage == typeof(Int128) ? typeof(WideSumColumn) : (kind switch
                    {
                        AggregateKind.Min => typeof(MinColumn<>),
                        AggregateKind.Max => typeof(MaxColumn<>),
                        _ => typeof(SumColumn<>),
                    }).MakeGenericType(storage);
                    var cell = Add(new AggregateSpec(kind, selector, valueType, columnType));
                    // The range is checked here, on the group's value, never on a partial.
                    return kind == AggregateKind.Average
                        ? Convert(WideSum.Average(cell, Column(0, typeof(SumColumn<long>))), node.Type)
                        : WideSum.Narrow(cell, node.Type);
                default:
                    return Fail(node);
            }
        }

        private Expression Fail(Expression node)
        {
            _failed = true;
            return node;
        }

        private static Expression Convert(Expression value, Type type) =>
            value.Type == type ? value : Expression.ConvertChecked(value, type);

        private Expression KeyOfSlot() =>
            Expression.ArrayIndex(Expression.Field(table, nameof(GroupTable<int>.Keys)), slot);

        private Expression Add(AggregateSpec aggregate)
        {
            Aggregates.Add(aggregate);
            return Column(Aggregates.Count, aggregate.ColumnType);
        }

        private Expression Column(int index, Type columnType) =>
            Expression.ArrayIndex(
                Expression.Field(Expression.Convert(Expression.ArrayIndex(Expression.Field(table, nameof(GroupTable<int>.Columns)), Expression.Constant(index)), columnType), "Values"),
                slot);
    }
}
