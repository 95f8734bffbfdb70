using System.Linq.Expressions;
using System.Reflection;
using StreamLinq.Execution;
using static StreamLinq.Query.ExpressionShapes;

namespace StreamLinq.Query;

/// <summary>
/// Builds the body of a fused stage: a loop over a range of the batch's records, segment by
/// segment, in which every Where, Select, SelectMany, join with static data and probe of a join
/// of two streams of the chain is inlined (the lambdas' bodies substituted, not called), ending
/// in an <c>emit</c> statement for each surviving record.
/// </summary>
internal static class FusedLoopBuilder
{
    /// <summary>
    /// <c>for (s = segment of start; s &lt; segments &amp;&amp; starts[s] &lt; end; s++) { items = arrays[s]; if (i &lt; stop) do { ...ops on items[i]...; emit(value); next: i++; } while (i &lt; stop); }</c>:
    /// the outer loop runs once per segment, the inner one is the same tight array loop whatever
    /// the segments, and locals of the loop (an accumulator) carry across segments, so the result
    /// does not depend on where the records were cut into segments. A chain of Where and Select
    /// runs two records per turn of the inner loop (then the odd one), in order.
    /// </summary>
    /// <remarks>
    /// The inner loop is tested at its bottom and its index moves after the chain ran (a Where
    /// that drops the record jumps to the increment), the shape the JIT makes of a C# <c>for</c>
    /// loop. A record the loop cannot change (a class, a primitive, a <c>readonly</c> struct) is
    /// read in place (<c>items[i].Field</c>) rather than copied into a local first: a copied
    /// struct local's fields were kept on the stack, a store and a load per field per record.
    /// </remarks>
    /// <param name="records">The batch's records, a <see cref="Sources.BatchRecords{T}"/>.</param>
    /// <param name="start">The first record of the range, counted over the whole batch.</param>
    /// <param name="end">One past the last record of the range.</param>
    /// <param name="ops">The Where/Select/SelectMany calls, innermost first.</param>
    /// <param name="emit">The statement for one output value (a variable, or a record read in place: free of side effects, cheap to read again).</param>
    /// <param name="tables">
    /// Receives the static tables of the joins the loop holds; the node must <see cref="StaticJoinTable.Load"/>
    /// them before each batch's loops run. Tables already in it, collected by a loop built
    /// before from the same <paramref name="ops"/>, are shared in order rather than made again.
    /// Null when the chain may hold no join with static data.
    /// </param>
    /// <param name="streamJoin">
    /// The build side of the join of two streams that is the chain's first op, whose probe the
    /// loop runs (the records are its outer records); the node must <see cref="StreamJoinTable.Build"/>
    /// it before each batch's loops run. Null when the chain holds no join of two streams.
    /// </param>
    public static Expression Loop(ParameterExpression records, ParameterExpression start, ParameterExpression end, IReadOnlyList<MethodCallExpression> ops, Func<Expression, Expression> emit, ICollection<StaticJoinTable>? tables = null, StreamJoinTable? streamJoin = null) =>
        Loop(records, start, end, ops, (value, _) => emit(value), tables, streamJoin);

    /// <summary>
    /// The same loop, <paramref name="emit"/> also given the index in the batch of the record
    /// that gave the value, so that it can leave the loop (a <c>return</c>) and a later call
    /// resume it at the next record: for chains of Where and Select only, where a record gives
    /// at most one value.
    /// </summary>
    public static Expression Loop(ParameterExpression records, ParameterExpression start, ParameterExpression end, IReadOnlyList<MethodCallExpression> ops, Func<Expression, Expression, Expression> emit, ICollection<StaticJoinTable>? tables = null, StreamJoinTable? streamJoin = null)
    {
        var state = new LoopState(tables, streamJoin);
        var elementType = records.Type.GetGenericArguments()[0];
        var type = records.Type;

        // The segment tables are read from the batch at each segment, not kept in locals: three
        // more values live across the inner loop left the JIT short of registers there, and it
        // kept a record's field on the stack (a store and a load per record) to make room.
        var arrays = Expression.Property(records, type.GetProperty("Arrays", BindingFlags.NonPublic | BindingFlags.Instance)!);
        var offsets = Expression.Property(records, type.GetProperty("Offsets", BindingFlags.NonPublic | BindingFlags.Instance)!);
        var starts = Expression.Property(records, type.GetProperty("Starts", BindingFlags.NonPublic | BindingFlags.Instance)!);
        var s = Expression.Variable(typeof(int), "s");
        var first = Expression.Variable(typeof(int), "first");
        var delta = Expression.Variable(typeof(int), "delta");
        var items = Expression.Variable(elementType.MakeArrayType(), "items");
        var stop = Expression.Variable(typeof(int), "stop");
        var i = Expression.Variable(typeof(int), "i");
        var index = Expression.Subtract(i, delta);
        Expression Body(LabelTarget next)
        {
            if (ReadInPlace(elementType))
            {
                var record = Expression.ArrayAccess(items, i);
                return FieldReads.Hoist(Step(ops, 0, record, next, value => emit(value, index), state), record);
            }

            var x = Expression.Variable(elementType, "x");
            return Expression.Block([x], Expression.Assign(x, Expression.ArrayIndex(items, i)), Step(ops, 0, x, next, value => emit(value, index), state));
        }

        // One record's chain, then the increment (a Where that drops the record jumps to it).
        Expression Once()
        {
            var next = Expression.Label("next");
            return Expression.Block(Body(next), Expression.Label(next), Expression.PreIncrementAssign(i));
        }

        var top = Expression.Label("top");
        var segmentsDone = Expression.Label("segmentsDone");
        Expression inner;
        if (ops.All(op => op.Method.Name is "Where" or "Select"))
        {
            // Two records per turn, then the odd one: the JIT does not unroll loops, and a chain
            // of Where and Select is a few instructions per record, so the loop's own increment,
            // test and jump back were a large share of it (about an eighth of filter+project+sum).
            var pair = Expression.LessThan(Expression.Add(i, Expression.Constant(1)), stop);
            inner = Expression.Block(
                Expression.IfThen(pair, Expression.Block(Expression.Label(top), Once(), Once(), Expression.IfThen(pair, Expression.Goto(top)))),
                Expression.IfThen(Expression.LessThan(i, stop), Once()));
        }
        else
        {
            inner = Expression.IfThen(
                Expression.LessThan(i, stop),
                Expression.Block(Expression.Label(top), Once(), Expression.IfThen(Expression.LessThan(i, stop), Expression.Goto(top))));
        }

        // i is the batch's index of the first record to read (start in the first segment, then
        // 0, read as the segment's first record), then its index in the segment's array. Neither
        // start nor the next segment's first record is read after the inner loop, so neither holds
        // a register through it.
        var following = Expression.ArrayIndex(starts, Expression.Add(s, Expression.Constant(1)));
        var segment = Expression.Block(
            Expression.IfThen(Expression.GreaterThanOrEqual(s, Expression.ArrayLength(arrays)), Expression.Break(segmentsDone)),
            Expression.Assign(first, Expression.ArrayIndex(starts, s)),
            Expression.IfThen(Expression.GreaterThanOrEqual(first, end), Expression.Break(segmentsDone)),
            Expression.Assign(delta, Expression.Subtract(Expression.ArrayIndex(offsets, s), first)),
            Expression.Assign(items, Expression.ArrayIndex(arrays, s)),
            Expression.Assign(i, Expression.Add(Expression.Condition(Expression.LessThan(i, first), first, i), delta)),
            Expression.Assign(stop, Expression.Add(Expression.Condition(Expression.LessThan(end, following), end, following), delta)),
            Expression.PreIncrementAssign(s),
            inner,
            Expression.Assign(i, Expression.Constant(0)));
        return Expression.Block(
            state.Variables.Concat([s, first, delta, items, stop, i]),
            state.Initializers.Concat(
            [
                Expression.Assign(s, Expression.Call(records, type.GetMethod("SegmentOf", BindingFlags.NonPublic | BindingFlags.Instance)!, start)),
                Expression.Assign(i, start),
                Expression.Loop(segment, segmentsDone),
            ]));
    }

    /// <summary>
    /// Whether the chain may read a record of <paramref name="type"/> where it lies in the batch's
    /// array: nothing the chain does to it can change the array (a struct that is not
    /// <c>readonly</c> could be changed by one of its methods, so it is copied first).
    /// </summary>
    private static bool ReadInPlace(Type type) =>
        !type.IsValueType || type.IsPrimitive || type.IsEnum || type.IsDefined(typeof(System.Runtime.CompilerServices.IsReadOnlyAttribute), inherit: false);

    /// <summary>
    /// Reads of a struct record's fields (and of auto-properties, whose getters only read their
    /// field) made into locals assigned once at the top of the loop's body, as the hand loop's
    /// <c>foreach</c> copy makes them: an expression such as <c>items[i].Key % 10</c> otherwise
    /// leaves the JIT a temporary for the field that it kept on the stack, a store and a load
    /// per record. Reading a field early cannot throw or change anything.
    /// </summary>
    private sealed class FieldReads : ExpressionVisitor
    {
        private readonly Expression _record;
        private readonly Dictionary<MemberInfo, ParameterExpression> _locals = [];
        private readonly List<Expression> _reads = [];

        private FieldReads(Expression record) => _record = record;

        public static Expression Hoist(Expression body, Expression record)
        {
            if (!record.Type.IsValueType || record.Type.IsPrimitive || record.Type.IsEnum)
            {
                return body;
            }

            var reads = new FieldReads(record);
            var rewritten = reads.Visit(body);
            return reads._reads.Count == 0 ? body : Expression.Block(reads._locals.Values, reads._reads.Append(rewritten));
        }

        protected override Expression VisitMember(MemberExpression node)
        {
            if (node.Expression != _record || !(node.Member is FieldInfo || IsAutoProperty(node.Member)))
            {
                return base.VisitMember(node);
            }

            if (!_locals.TryGetValue(node.Member, out var local))
            {
                local = Expression.Variable(node.Type, node.Member.Name);
                _locals.Add(node.Member, local);
                _reads.Add(Expression.Assign(local, node));
            }

            return local;
        }

        private static bool IsAutoProperty(MemberInfo member) =>
            member is PropertyInfo { GetMethod: { } getter } property
            && getter.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute), inherit: false)
            && property.DeclaringType!.GetField($"<{property.Name}>k__BackingField", BindingFlags.NonPublic | BindingFlags.Instance) is not null;
    }

    private static Expression Step(IReadOnlyList<MethodCallExpression> ops, int k, Expression value, LabelTarget next, Func<Expression, Expression> emit, LoopState state)
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
                    Step(ops, k + 1, value, next, emit, state));

            case "Select":
            {
                var selector = Lambda(op.Arguments[1]);
                var y = Expression.Variable(selector.ReturnType, "y" + k);
                return Expression.Block(
                    [y],
                    Expression.Assign(y, ParameterReplacer.Inline(selector, value)),
                    Step(ops, k + 1, y, next, emit, state));
            }

            case "SelectMany":
                return FlatMap(ops, k, value, emit, state);

            case "Join" when k == 0 && state.StreamJoin is not null:
                return JoinStream(ops, k, value, emit, state);

            case "Join":
                return JoinStatic(ops, k, value, next, emit, state);

            default:
                throw new InvalidOperationException($"{op.Method.Name} cannot be fused.");
        }
    }

    private static Expression FlatMap(IReadOnlyList<MethodCallExpression> ops, int k, Expression value, Func<Expression, Expression> emit, LoopState state)
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
                return Step(ops, k + 1, item, continueLabel, emit, state);
            }

            var r = Expression.Variable(resultSelector.ReturnType, "r" + k);
            return Expression.Block(
                [r],
                Expression.Assign(r, ParameterReplacer.Inline(resultSelector, value, item)),
                Step(ops, k + 1, r, continueLabel, emit, state));
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

    /// <summary>
    /// <c>Join(static inner, outerKey, innerKey, result)</c> inlined: look the record's key up in the
    /// batch's <see cref="StaticJoinTable{TKey, TInner}"/> and continue the chain once per match,
    /// in the inner collection's order, as LINQ's Join yields them.
    /// </summary>
    private static Expression JoinStatic(IReadOnlyList<MethodCallExpression> ops, int k, Expression value, LabelTarget next, Func<Expression, Expression> emit, LoopState state)
    {
        var op = ops[k];
        var outerKey = Lambda(op.Arguments[2]);
        var innerKey = Lambda(op.Arguments[3]);
        var resultSelector = Lambda(op.Arguments[4]);
        var innerType = innerKey.Parameters[0].Type;
        var tableType = typeof(StaticJoinTable<,>).MakeGenericType(outerKey.ReturnType, innerType);
        var inner = StaticQuery.Prepare(((ConstantExpression)op.Arguments[1]).Value!);
        var reading = inner.GetType() == typeof(StaticTable<>).MakeGenericType(innerType) ? StaticTableReading.WhenReplaced
            : ImmutableCollections.Contain(inner) ? StaticTableReading.Once
            : StaticTableReading.EveryBatch;
        var tableVariable = state.Hoist(() => (StaticJoinTable)Activator.CreateInstance(tableType, inner, innerKey.Compile(), reading)!, tableType, "table" + k);

        // The rest of the chain is built twice: once for the common single match (no array, no
        // inner loop) and once for a key with several rows.
        var count = Expression.Variable(typeof(int), "matchCount" + k);
        var row = Expression.Variable(innerType, "row" + k);
        var rows = Expression.Variable(innerType.MakeArrayType(), "rows" + k);
        var single = Expression.Variable(resultSelector.ReturnType, "single" + k);
        var j = Expression.Variable(typeof(int), "j" + k);
        var find = tableType.GetMethod(nameof(StaticJoinTable<int, int>.Find))!;
        return Expression.Block(
            [count, row, rows],
            Expression.Assign(count, Expression.Call(tableVariable, find, ParameterReplacer.Inline(outerKey, value), row, rows)),
            Expression.IfThen(Expression.Equal(count, Expression.Constant(0)), Expression.Continue(next)),
            Expression.IfThenElse(
                Expression.Equal(count, Expression.Constant(1)),
                Expression.Block(
                    [single],
                    Expression.Assign(single, ParameterReplacer.Inline(resultSelector, value, row)),
                    Step(ops, k + 1, single, next, emit, state)),
                Expression.Block(
                    [j],
                    Expression.Assign(j, Expression.Constant(0)),
                    EachMatch(ops, k, value, resultSelector, rows, j, Expression.ArrayLength(rows), emit, state))));
    }

    /// <summary>
    /// <c>outer.Join(inner stream, outerKey, innerKey, result)</c> inlined: look the record's key up
    /// in the batch's <see cref="StreamJoinTable{TOuter, TInner, TKey}"/> index and continue the
    /// chain once per matching inner row, in the inner batch's order, as LINQ's Join yields them:
    /// the key's rows are one run of the table's rows, grouped by key.
    /// </summary>
    private static Expression JoinStream(IReadOnlyList<MethodCallExpression> ops, int k, Expression value, Func<Expression, Expression> emit, LoopState state)
    {
        var op = ops[k];
        var join = state.StreamJoin!;
        var outerKey = Lambda(op.Arguments[2]);
        var resultSelector = Lambda(op.Arguments[4]);
        var tableType = join.GetType();
        var index = state.HoistField(join, tableType, nameof(StreamJoinTable<int, int, int>.Index), "index" + k);
        var rows = state.HoistField(join, tableType, nameof(StreamJoinTable<int, int, int>.Rows), "rows" + k);
        var from = state.HoistField(join, tableType, nameof(StreamJoinTable<int, int, int>.From), "from" + k);
        var to = state.HoistField(join, tableType, nameof(StreamJoinTable<int, int, int>.To), "to" + k);
        var first = Expression.Variable(typeof(int), "first" + k);
        var j = Expression.Variable(typeof(int), "j" + k);
        var last = Expression.Variable(typeof(int), "last" + k);
        return Expression.Block(
            [first, j, last],
            Expression.Assign(first, Expression.Call(index, index.Type.GetMethod(nameof(JoinIndex<int>.First))!, ParameterReplacer.Inline(outerKey, value))),
            Expression.IfThen(
                Expression.GreaterThanOrEqual(first, Expression.Constant(0)),
                Expression.Block(
                    Expression.Assign(j, Expression.ArrayIndex(from, first)),
                    Expression.Assign(last, Expression.ArrayIndex(to, first)),
                    EachMatch(ops, k, value, resultSelector, rows, j, last, emit, state))));
    }

    /// <summary>
    /// A join's inner loop: the rest of the chain once per row of <paramref name="rows"/> from
    /// <paramref name="j"/> to <paramref name="end"/>, with the join's result selector applied. The
    /// index moves before the chain runs, so that a Where's continue goes straight to the next match.
    /// </summary>
    private static Expression EachMatch(IReadOnlyList<MethodCallExpression> ops, int k, Expression value, LambdaExpression resultSelector, Expression rows, ParameterExpression j, Expression end, Func<Expression, Expression> emit, LoopState state)
    {
        var row = Expression.Variable(rows.Type.GetElementType()!, "match" + k);
        var r = Expression.Variable(resultSelector.ReturnType, "r" + k);
        var breakLabel = Expression.Label("break" + k);
        var continueLabel = Expression.Label("continue" + k);
        return Expression.Loop(
            Expression.Block(
                [row, r],
                Expression.IfThen(Expression.GreaterThanOrEqual(j, end), Expression.Break(breakLabel)),
                Expression.Assign(row, Expression.ArrayIndex(rows, j)),
                Expression.PreIncrementAssign(j),
                Expression.Assign(r, ParameterReplacer.Inline(resultSelector, value, row)),
                Step(ops, k + 1, r, continueLabel, emit, state)),
            breakLabel,
            continueLabel);
    }

    /// <summary>What the steps of one loop share: the join tables, and the objects read in the loop.</summary>
    private sealed class LoopState(ICollection<StaticJoinTable>? tables, StreamJoinTable? streamJoin)
    {
        public StreamJoinTable? StreamJoin { get; } = streamJoin;

        public List<ParameterExpression> Variables { get; } = [];

        public List<Expression> Initializers { get; } = [];

        private int _joins;

        /// <summary>
        /// A local holding the loop's next static join table, assigned before the loop: a
        /// constant read inside the loop would cost a load from the closure and a type check per
        /// record. The table is the one at this join's place in the tables already collected (a
        /// second loop over the same chain shares the first's tables, which the node loads), else
        /// a new one from <paramref name="create"/>, collected.
        /// </summary>
        public ParameterExpression Hoist(Func<StaticJoinTable> create, Type type, string name)
        {
            var collected = tables ?? throw new InvalidOperationException("A join with static data cannot be fused here.");
            StaticJoinTable table;
            if (_joins < collected.Count)
            {
                table = collected.ElementAt(_joins);
            }
            else
            {
                table = create();
                collected.Add(table);
            }

            _joins++;
            var variable = Expression.Variable(type, name);
            Variables.Add(variable);
            Initializers.Add(Expression.Assign(variable, Expression.Constant(table, type)));
            return variable;
        }

        /// <summary>A local holding field <paramref name="field"/> of <paramref name="owner"/>, read when the loop starts (the field changes per batch, not per record).</summary>
        public ParameterExpression HoistField(object owner, Type type, string field, string name)
        {
            var read = Expression.Field(Expression.Constant(owner, type), field);
            var variable = Expression.Variable(read.Type, name);
            Variables.Add(variable);
            Initializers.Add(Expression.Assign(variable, read));
            return variable;
        }
    }
}
