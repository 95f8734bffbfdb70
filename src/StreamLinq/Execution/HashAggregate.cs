using StreamLinq.Sources;

namespace StreamLinq.Execution;

/// <summary>
/// A grouped aggregation in one pass: a compiled loop applies the fused Where/Select/SelectMany
/// prefix (and the probe of a join of two streams below it), finds the record's group slot and
/// updates every aggregate in place; each group's result is then projected, in order of first
/// appearance. No group is ever materialised as a list of records.
/// </summary>
/// <remarks>
/// <para>
/// Two ways to use the cores, chosen per batch by the number of keys expected (the groups per
/// record of the last non-empty batch, scaled to this one's size): with few keys, each partition
/// aggregates a range of the batch into its own table and the tables are merged in partition
/// order (a merge costs one lookup per key and table). With many keys, at least an eighth of the
/// records per partition, merging would cost about as much as aggregating, so the keys are
/// radix-partitioned instead: each partition reads the whole batch but aggregates only the keys
/// whose hash falls in it, and the partitions' groups are interleaved back in order of first
/// appearance, with no merge. Radix partitioning is not used with a floating-point sum or
/// average, whose bits would then depend on the previous batch. Tables are sized for the keys expected. Per batch; nothing is kept but that estimate
/// and, for the next batch, the tables of the last one, emptied (<see cref="GroupTable{TKey}.Reset"/>):
/// a batch of many keys then neither allocates its tables nor leaves them to the collector.
/// Kept tables are memory, not state: never checkpointed, and a replayed batch starts from
/// empty tables as a new one does.
/// </para>
/// <para>The planner's compiler builds the loop and the projection (<c>Query/PlanCompiler</c>); this node runs them.</para>
/// </remarks>
/// <param name="child">The node whose records the aggregation reads.</param>
/// <param name="accumulate">Adds records <c>[start, end)</c> of the batch (walking their segments) into the table: the fused prefix, then each record's aggregates.</param>
/// <param name="project">A group's result from its slot of a table.</param>
/// <param name="newColumns">The columns of an empty table: the record count, then one per aggregate.</param>
/// <param name="sumsFloatingPoint">Whether an aggregate is a floating-point sum or average, whose bits depend on where the batch is cut.</param>
/// <param name="joinTables">The static join tables the loop reads, loaded before each batch's loops run.</param>
/// <param name="streamJoin">The build side of the join of two streams whose probe the loop runs (the child is then its outer side); null without one.</param>
/// <param name="detail">The key and aggregates, as the query wrote them.</param>
internal sealed class HashAggregate<TIn, TKey, TOut>(
    PlanNode child,
    Action<BatchRecords<TIn>, int, int, GroupTable<TKey>> accumulate,
    Func<GroupTable<TKey>, int, TOut> project,
    Func<AggregateColumn[]> newColumns,
    bool sumsFloatingPoint,
    IReadOnlyList<StaticJoinTable> joinTables,
    StreamJoinTable? streamJoin,
    string detail) : PlanNode, IEagerNode
{
    private readonly PlanNode _child = child;

    // The groups and records of the last non-empty batch: the next batch expects as many groups
    // per record, so a batch ten times the last one's size gets a table sized for it at once
    // rather than one that doubles (and copies every array) three times while it runs.
    private int _lastKeys;
    private int _lastRecords;

    // Partial tables of the receiver's chunks made while the batch was open; null without eager work.
    private EagerChunks<TIn, GroupTable<TKey>>? _eager;

    // The tables of the last batch, emptied, for the next. Only Compute's tables come back here:
    // those of Accumulate may be kept by a window for its length.
    private readonly List<GroupTable<TKey>> _spares = [];

    public override string Kind => "HashAggregate";

    public override string Detail { get; } = detail + "; partial aggregates per partition";

    public override string Strategy => "partial aggregates per partition merged in partition order, or radix partitions by key hash for many keys";

    public override IReadOnlyList<PlanNode> Children => streamJoin is null ? [_child] : [_child, streamJoin.Inner];

    public override Type ElementType => typeof(TOut);

    public void StartEager()
    {
        // A floating-point sum's bits depend on where the batch is cut: eager runs would cut it elsewhere.
        if (_eager is null && !sumsFloatingPoint && streamJoin is null && joinTables.Count == 0 && _child is SourceNode { Source: IReceiverSource<TIn> source })
        {
            _eager = new EagerChunks<TIn, GroupTable<TKey>>(source.Receiver, EagerTable);
        }
    }

    /// <summary>A run's partial table, on the eager thread; none when keys are many (merging a table then costs what accumulating does).</summary>
    private GroupTable<TKey>? EagerTable(BatchRecords<TIn> run)
    {
        // The last batch's key count, not its keys per record: a run is a slice of a batch, and a
        // small key space gives a run as many keys as the whole batch.
        var expected = Volatile.Read(ref _lastKeys);
        if (expected * 8L >= run.Count)
        {
            return null;
        }

        var table = new GroupTable<TKey>(newColumns(), expected, part: 0, parts: 0);
        accumulate(run, 0, run.Count, table);
        table.Seal();
        return table;
    }

    public override Array? Compute(BatchExecution batch)
    {
        if (batch.Records<TIn>(_child) is not { } input || (streamJoin is not null && !streamJoin.Build(batch, input)))
        {
            return null;
        }

        if (_eager is not null && WithEagerTables(input) is { } eager)
        {
            Observe(eager.Count, input.Count);
            return Project(eager, include: null);
        }

        var parts = batch.PartitionCount(input.Count);
        if (parts > 1 && !sumsFloatingPoint && ExpectedKeys(input.Count) * 8L >= input.Count / parts)
        {
            return RadixPartitioned(input, batch, parts);
        }

        var (merged, tables) = AccumulateTables(input, batch, reuse: true);
        var result = Project(merged, include: null);
        Keep(tables);
        return result;
    }

    /// <summary>The child node, whose records the aggregation reads.</summary>
    public PlanNode Child => _child;

    /// <summary>The columns of a new, empty group table: the record count (column 0), then one per aggregate.</summary>
    public AggregateColumn[] NewColumns() => newColumns();

    /// <summary>
    /// The partial aggregates of <paramref name="input"/>: one table, merged from the partitions'
    /// in partition order. Windowed aggregations keep these per batch and combine them across batches.
    /// </summary>
    /// <remarks>
    /// A floating-point sum depends on where the batch is cut, so with one the cut does not depend
    /// on the degree of parallelism (<see cref="BatchExecution.RunPartitions"/>): the same records
    /// give the same bits on every machine, and a replayed batch reproduces them.
    /// </remarks>
    public GroupTable<TKey> Accumulate(BatchRecords<TIn> input, BatchExecution batch) => AccumulateTables(input, batch, reuse: false).Merged;

    /// <summary>The partial aggregates, and every table used (the merged one first); with <paramref name="reuse"/>, in tables the last batch <see cref="Keep"/>s.</summary>
    private (GroupTable<TKey> Merged, GroupTable<TKey>[] Tables) AccumulateTables(BatchRecords<TIn> input, BatchExecution batch, bool reuse)
    {
        StaticJoinTable.LoadFor(joinTables, input.Count);
        var capacity = ExpectedKeys(input.Count);
        var tables = batch.RunPartitions(
            input.Count,
            (start, end) =>
            {
                var table = reuse ? Take(Math.Min(capacity, end - start), part: 0, parts: 0) : new GroupTable<TKey>(newColumns(), Math.Min(capacity, end - start), part: 0, parts: 0);
                accumulate(input, start, end, table);
                table.Seal();
                return table;
            },
            fixedChunks: sumsFloatingPoint);
        var merged = tables[0];
        for (var p = 1; p < tables.Length; p++)
        {
            merged.MergeFrom(tables[p]);
        }

        Observe(merged.Count, input.Count);
        return (merged, tables);
    }

    /// <summary>
    /// The batch's table from the eager runs' tables where a segment is a whole run, and from the
    /// loop over the segments between, merged in segment order as <see cref="AccumulateTables"/>
    /// merges partitions; null when no segment has a table.
    /// </summary>
    private GroupTable<TKey>? WithEagerTables(BatchRecords<TIn> input)
    {
        if (_eager!.Find(input) is not { } found)
        {
            return null;
        }

        // A run's table stands for its segments when the batch holds them all, in order.
        if (EagerChunks<TIn, GroupTable<TKey>>.Parts(found, wholeRuns: true) is not { } parts)
        {
            return null;
        }

        GroupTable<TKey>? merged = null;
        foreach (var (run, from, to) in parts)
        {
            if (run)
            {
                merged = Merge(merged, found[from].Run!);
                continue;
            }

            var between = new GroupTable<TKey>(newColumns(), Math.Min(_lastKeys, input.Starts[to] - input.Starts[from]), part: 0, parts: 0);
            accumulate(input, input.Starts[from], input.Starts[to], between);
            between.Seal();
            merged = Merge(merged, between);
        }

        return merged;

        static GroupTable<TKey> Merge(GroupTable<TKey>? into, GroupTable<TKey> table)
        {
            if (into is null)
            {
                return table;
            }

            into.MergeFrom(table);
            return into;
        }
    }

    /// <summary>
    /// Each of <paramref name="parts"/> tables aggregates every record of its own keys; their
    /// slots, each table's in first-appearance order, are interleaved by first appearance.
    /// </summary>
    private TOut[] RadixPartitioned(BatchRecords<TIn> input, BatchExecution batch, int parts)
    {
        StaticJoinTable.LoadFor(joinTables, input.Count);
        var capacity = ExpectedKeys(input.Count) / parts;
        var tables = batch.RunEach(parts, part =>
        {
            var table = Take(capacity, part, parts);
            accumulate(input, 0, input.Count, table);
            table.Seal();
            return table;
        });
        var total = tables.Sum(table => table.Count);
        Observe(total, input.Count);
        var result = new TOut[total];
        var next = new int[parts];
        for (var r = 0; r < total; r++)
        {
            var from = -1;
            for (var p = 0; p < parts; p++)
            {
                if (next[p] < tables[p].Count && (from < 0 || tables[p].FirstSeen(next[p]) < tables[from].FirstSeen(next[from])))
                {
                    from = p;
                }
            }

            result[r] = project(tables[from], next[from]++);
        }

        Keep(tables);
        return result;
    }

    /// <summary>The keys expected in a batch of <paramref name="records"/>: the last non-empty batch's keys per record, at most one per record.</summary>
    private int ExpectedKeys(int records) =>
        _lastRecords == 0 ? 0 : (int)Math.Min(records, ((long)_lastKeys * records + _lastRecords - 1) / _lastRecords);

    private void Observe(int keys, int records)
    {
        if (records > 0)
        {
            _lastKeys = keys;
            _lastRecords = records;
        }
    }

    /// <summary>
    /// A table of the last batch, emptied, when one is kept that holds <paramref name="capacity"/>
    /// keys and is not more than eight times that (a batch of few keys after one of many gives
    /// the big table back to the collector); otherwise a new one.
    /// </summary>
    private GroupTable<TKey> Take(int capacity, int part, int parts)
    {
        GroupTable<TKey>? table = null;
        lock (_spares)
        {
            if (_spares.Count > 0)
            {
                table = _spares[^1];
                _spares.RemoveAt(_spares.Count - 1);
            }
        }

        if (table is null || table.Capacity < capacity || table.Capacity > 8L * Math.Max(16, capacity))
        {
            return new GroupTable<TKey>(newColumns(), capacity, part, parts);
        }

        table.Reset(part, parts);
        return table;
    }

    /// <summary>Keeps <paramref name="tables"/>, whose results were projected, for the next batch.</summary>
    private void Keep(GroupTable<TKey>[] tables)
    {
        lock (_spares)
        {
            _spares.Clear();
            _spares.AddRange(tables);
        }
    }

    /// <summary>The result of every slot of <paramref name="table"/> that <paramref name="include"/> accepts (all when null), in slot order.</summary>
    public TOut[] Project(GroupTable<TKey> table, Func<int, bool>? include)
    {
        if (include is null)
        {
            var all = new TOut[table.Count];
            for (var slot = 0; slot < all.Length; slot++)
            {
                all[slot] = project(table, slot);
            }

            return all;
        }

        var result = new List<TOut>(table.Count);
        for (var slot = 0; slot < table.Count; slot++)
        {
            if (include(slot))
            {
                result.Add(project(table, slot));
            }
        }

        return result.ToArray();
    }
}
