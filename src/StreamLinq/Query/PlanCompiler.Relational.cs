using System.Linq.Expressions;
using StreamLinq.Execution;
using StreamLinq.Query.Logical;
using StreamLinq.Sources;
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
        if (IsStreamJoin(relational))
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
            var (_, below) = Prefix(relational.Inputs[0], absorb: false);
            return Generic(nameof(TopOf), [below.ElementType, relational.ElementType, Lambda(calls[0].Arguments[1]).ReturnType], relational);
        }

        return null;
    }

    /// <summary>Whether the run is one join of two streams (<c>outer.Join(inner, outerKey, innerKey, result)</c>, no comparer).</summary>
    private static bool IsStreamJoin(RelationalOperator relational) =>
        relational.Calls is [{ Method.Name: "Join", Arguments.Count: 5 }] && relational.Inputs.Count == 2;

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

    /// <summary>One loop per input: its Map (if any) fused, each record added to the set where it is computed.</summary>
    private PlanNode DistinctRecords<T>(LogicalNode node)
    {
        var relational = (RelationalOperator)node;
        var inputs = new List<PlanNode>();
        var fetch = new List<Func<BatchExecution, BatchRecords?>>();
        var loops = new List<Action<BatchRecords, GroupTable<T>>>();
        var tables = new List<StaticJoinTable>();
        var findOrAdd = typeof(GroupTable<T>).GetMethod(nameof(GroupTable<T>.FindOrAdd))!;
        foreach (var input in relational.Inputs)
        {
            var (prefix, below) = Prefix(input, absorb: true);
            var child = Compile(below);
            var recordsType = typeof(BatchRecords<>).MakeGenericType(below.ElementType);
            var batch = Expression.Parameter(typeof(BatchExecution), "batch");
            fetch.Add(Expression.Lambda<Func<BatchExecution, BatchRecords?>>(
                Expression.Call(batch, typeof(BatchExecution).GetMethod(nameof(BatchExecution.Records))!.MakeGenericMethod(below.ElementType), Expression.Constant(child, typeof(PlanNode))),
                batch).Compile());
            var given = Expression.Parameter(typeof(BatchRecords), "given");
            var seen = Expression.Parameter(typeof(GroupTable<T>), "seen");
            var records = Expression.Variable(recordsType, "records");
            var start = Expression.Variable(typeof(int), "start");
            var end = Expression.Variable(typeof(int), "end");
            var isNew = Expression.Variable(typeof(bool), "isNew");
            var loop = FusedLoopBuilder.Loop(records, start, end, prefix, value =>
                Expression.Call(seen, findOrAdd, value.Type == typeof(T) ? value : Expression.Convert(value, typeof(T)), isNew), tables);
            loops.Add(Expression.Lambda<Action<BatchRecords, GroupTable<T>>>(
                Expression.Block(
                    [records, start, end, isNew],
                    Expression.Assign(records, Expression.Convert(given, recordsType)),
                    Expression.Assign(start, Expression.Constant(0)),
                    Expression.Assign(end, Expression.Property(records, nameof(BatchRecords.Count))),
                    loop),
                given,
                seen).Compile());
            inputs.Add(child);
        }

        return new HashDistinct<T>(inputs, fetch, loops, tables, relational.Detail);
    }

    /// <summary>
    /// The key chain compiled into one comparison with every key selector's body inlined:
    /// <c>(a, b) =&gt; { c = Comparer&lt;K1&gt;.Default.Compare(k1(a), k1(b)); if (c != 0) return ±c; ... return 0; }</c>.
    /// </summary>
    private static Func<T, T, int> KeyChainComparison<T>(IEnumerable<MethodCallExpression> orderings)
    {
        var a = Expression.Parameter(typeof(T), "a");
        var b = Expression.Parameter(typeof(T), "b");
        var c = Expression.Variable(typeof(int), "c");
        var done = Expression.Label(typeof(int), "done");
        var body = new List<Expression>();
        foreach (var call in orderings)
        {
            var key = Lambda(call.Arguments[1]);
            var comparer = typeof(Comparer<>).MakeGenericType(key.ReturnType);
            var compare = Expression.Call(
                Expression.Property(null, comparer, nameof(Comparer<int>.Default)),
                comparer.GetMethod(nameof(Comparer<int>.Compare))!,
                ParameterReplacer.Inline(key, a),
                ParameterReplacer.Inline(key, b));

            // Inverted as a sign, never negated: a comparer may return int.MinValue.
            var result = IsDescending(call) ? Expression.Condition(Expression.GreaterThan(c, Expression.Constant(0)), Expression.Constant(-1), Expression.Constant(1)) : (Expression)c;
            body.Add(Expression.Assign(c, compare));
            body.Add(Expression.IfThen(Expression.NotEqual(c, Expression.Constant(0)), Expression.Return(done, result)));
        }

        body.Add(Expression.Label(done, Expression.Constant(0)));
        return Expression.Lambda<Func<T, T, int>>(Expression.Block([c], body), a, b).Compile();
    }

    /// <summary>
    /// The bounded heap's loop: the Map below (if any) fused, then per record its first key
    /// computed inline and compared inline with the heap root's (with <c>&lt;</c> / <c>&gt;</c> for an
    /// integer key, <c>Comparer&lt;K&gt;.Default</c> otherwise); the whole chain's comparison runs only
    /// on a tie of first keys. A value that enters is offered to the heap outside the loop: the
    /// loop stores it in the heap as <see cref="BoundedHeap{T, TKey}.Pending"/> and returns the
    /// index of the next record, and <see cref="TopK{TIn, T, TKey}"/> offers it and calls the loop
    /// again from there. So the loop holds no call, and the JIT keeps its variables in registers
    /// (a call in the loop, even one a few records in a million reach, made it keep them on the
    /// stack, a load and a store per record). A chain with SelectMany or a join, whose record can
    /// give several values, cannot resume at a record: its loop calls <see cref="BoundedHeap{T, TKey}.Offer"/> in place.
    /// </summary>
    private PlanNode TopOf<TIn, T, TKey>(LogicalNode node)
    {
        var relational = (RelationalOperator)node;
        var (prefix, below) = Prefix(relational.Inputs[0], absorb: true);
        var orderings = relational.Calls.SkipLast(1).ToList();
        var compare = KeyChainComparison<T>(orderings);
        var records = Expression.Parameter(typeof(BatchRecords<TIn>), "records");
        var start = Expression.Parameter(typeof(int), "start");
        var end = Expression.Parameter(typeof(int), "end");
        var heap = Expression.Parameter(typeof(BoundedHeap<T, TKey>), "heap");
        var arrival = Expression.Variable(typeof(int), "arrival");
        var key = Expression.Variable(typeof(TKey), "key");
        var heapType = typeof(BoundedHeap<T, TKey>);

        // The root's key and whether the heap is full, in locals read when the loop starts (and
        // after an offer in place): read from the heap per record, they were two loads.
        var rootKey = Expression.Variable(typeof(TKey), "rootKey");
        var full = Expression.Variable(typeof(bool), "full");
        var reload = Expression.Block(
            Expression.Assign(rootKey, Expression.Field(heap, nameof(BoundedHeap<T, TKey>.RootKey))),
            Expression.Assign(full, Expression.Field(heap, nameof(BoundedHeap<T, TKey>.Full))));
        var resumable = prefix.All(op => op.Method.Name is "Where" or "Select");
        var done = Expression.Label(typeof(int), "done");
        var firstKey = Lambda(orderings[0].Arguments[1]);
        var descending = IsDescending(orderings[0]);
        var tables = new List<StaticJoinTable>();
        var loop = FusedLoopBuilder.Loop(records, start, end, prefix, (value, index) =>
        {
            var record = value.Type == typeof(T) ? value : Expression.Convert(value, typeof(T));
            Expression before, tie;
            if (IntegerTypes.Contains(typeof(TKey)))
            {
                before = descending ? Expression.GreaterThan(key, rootKey) : Expression.LessThan(key, rootKey);
                tie = Expression.Equal(key, rootKey);
            }
            else
            {
                var comparer = typeof(Comparer<TKey>);
                var c = Expression.Call(Expression.Property(null, comparer, nameof(Comparer<int>.Default)), comparer.GetMethod(nameof(Comparer<int>.Compare))!, key, rootKey);
                before = descending ? Expression.GreaterThan(c, Expression.Constant(0)) : Expression.LessThan(c, Expression.Constant(0));
                tie = Expression.Equal(c, Expression.Constant(0));
            }

            // A later record whose keys all tie with the root's comes after it, so only one strictly before it enters.
            var enters = orderings.Count == 1 ? before : Expression.OrElse(before, Expression.AndAlso(tie, Expression.LessThan(
                Expression.Invoke(Expression.Property(heap, nameof(BoundedHeap<T, TKey>.Compare)), record, Expression.Property(heap, nameof(BoundedHeap<T, TKey>.Root))),
                Expression.Constant(0))));
            var offer = resumable
                ? Expression.Block(
                    Expression.Assign(Expression.Field(heap, nameof(BoundedHeap<T, TKey>.Pending)), record),
                    Expression.Assign(Expression.Field(heap, nameof(BoundedHeap<T, TKey>.PendingKey)), key),
                    Expression.Assign(Expression.Field(heap, nameof(BoundedHeap<T, TKey>.Arrival)), arrival),
                    Expression.Assign(Expression.Field(heap, nameof(BoundedHeap<T, TKey>.HasPending)), Expression.Constant(true)),
                    Expression.Return(done, Expression.Add(index, Expression.Constant(1))))
                : Expression.Block(Expression.Call(heap, heapType.GetMethod(nameof(BoundedHeap<T, TKey>.Offer))!, record, key, arrival), reload);
            return Expression.Block(
                [key],
                Expression.Assign(key, ParameterReplacer.Inline(firstKey, record)),
                Expression.IfThen(Expression.OrElse(Expression.Not(full), enters), offer),
                Expression.PreIncrementAssign(arrival));
        }, tables);
        var compiled = Expression.Lambda<Func<BatchRecords<TIn>, int, int, BoundedHeap<T, TKey>, int>>(
            Expression.Block(
                [arrival, rootKey, full],
                Expression.Assign(arrival, Expression.Field(heap, nameof(BoundedHeap<T, TKey>.Arrival))),
                reload,
                loop,
                Expression.Assign(Expression.Field(heap, nameof(BoundedHeap<T, TKey>.Arrival)), arrival),
                Expression.Label(done, end)),
            records,
            start,
            end,
            heap).Compile();
        var count = (int)((ConstantExpression)relational.Calls[^1].Arguments[1]).Value!;
        return new TopK<TIn, T, TKey>(Compile(below), count, compiled, compare, tables, relational.Detail);
    }

    private static bool IsDescending(MethodCallExpression ordering) => ordering.Method.Name.EndsWith("Descending", StringComparison.Ordinal);

    private static readonly HashSet<Type> IntegerTypes =
        [typeof(int), typeof(long), typeof(short), typeof(sbyte), typeof(byte), typeof(ushort), typeof(uint), typeof(ulong), typeof(char)];
}
