using System.Linq.Expressions;
using System.Text.Json;
using StreamLinq.Execution;
using StreamLinq.Query;
using StreamLinq.Query.Logical;
using StreamLinq.State;
using StreamLinq.State.Codecs;

namespace StreamLinq.Distributed;

/// <summary>
/// The map-side combine of an aggregate right above the narrow part (Spark's): each map task
/// aggregates its partition's records with the aggregate's own compiled loop, the one a single
/// process runs (the narrow part fused in), and ships partials instead of records; the reducer
/// merges the partials of every map task in task order and finishes the aggregate as it would
/// over the batch; the rest of the plan reads that in place of the aggregate. A GroupBy aggregate
/// (<see cref="HashAggregate{TIn,TKey,TOut}.Accumulate"/>) ships one partial per key (the key's
/// slot of the group table: its record count, sums, minima, maxima) to the key's partition, and
/// the reducer merges them per key (<see cref="GroupTable{TKey}.MergeFrom"/>: counts and sums
/// add, minima and maxima compare, an average is its sum and the record count) and projects each
/// group, in order of first appearance. A stream's Count, Sum, Min, Max or Average
/// (<see cref="BatchAggregate{TIn,TStorage,TOut}.Accumulate"/>) ships one partial (how many
/// values, their accumulator) to key partition 0. A GroupBy aggregate over a window
/// (<see cref="WindowedAggregate{TIn,TKey,TOut}"/>) ships its per-batch table alike; the reducer
/// keeps the window for its keys and takes the merged table in as the batch's
/// (<see cref="BatchExecution.PreAggregated"/>).
/// </summary>
/// <remarks>
/// Integers are exact: sums are kept wide (<see cref="WideSum"/>) and narrowed, checked, only in
/// the result, on the group's or the batch's value. A floating-point sum or average is the same
/// sum added in another order (each map task's partial first, then the partials in task order),
/// so it may differ from one process's in the last bits, as Spark's does.
/// </remarks>
internal sealed class PartialAggregation
{
    private readonly LogicalNode _aggregate;
    private Partials? _compiled;

    /// <param name="aggregate">A <see cref="GroupAggregateOperator"/> or an <see cref="AggregateOperator"/>.</param>
    /// <param name="windowed">Whether the aggregate is a GroupBy aggregate over a window, which reducers keep.</param>
    public PartialAggregation(LogicalNode aggregate, bool windowed)
    {
        _aggregate = aggregate;
        IsWindowed = windowed;
        (Detail, Aggregates) = aggregate switch
        {
            GroupAggregateOperator group => (group.Aggregation.Detail, string.Join(", ", group.Aggregation.Aggregates.Select(Describe).Prepend("count").Distinct())),
            AggregateOperator scalar => (scalar.Aggregation.Detail, $"{Describe(scalar.Aggregation.Kind, scalar.Aggregation.Selector)} of the batch"),
            _ => throw new ArgumentException($"{aggregate.Operator} has no partial form.", nameof(aggregate)),
        };
    }

    /// <summary>The aggregate's subtree, which the reducers' plan reads from the shuffle instead (unless <see cref="IsWindowed"/>).</summary>
    public Expression Tree => _aggregate.Tree;

    /// <summary>The aggregate's result type: what the reducers' plan reads from the shuffle (unless <see cref="IsWindowed"/>).</summary>
    public Type ResultType => _aggregate.ElementType;

    /// <summary>
    /// Whether the aggregate is over a window: the reducers' plan keeps the window and the
    /// aggregate over the narrow part's (empty) records, and takes each batch's merged table in
    /// through <see cref="BatchExecution.PreAggregated"/>.
    /// </summary>
    public bool IsWindowed { get; }

    /// <summary>The aggregate's operator, as plans name it.</summary>
    public string Operator => _aggregate.Operator;

    /// <summary>The aggregate as the query wrote it.</summary>
    public string Detail { get; }

    /// <summary>What a partial holds, for <see cref="DistributedPlan.Explain"/>: <c>count, sum(x =&gt; x.Price), ...</c>.</summary>
    public string Aggregates { get; }

    /// <summary>The aggregate compiled by <paramref name="builder"/>, on first use.</summary>
    public Partials Compile(PlanBuilder builder)
    {
        if (_compiled is null)
        {
            var node = builder.Build(_aggregate.Tree);
            if (node.GetType() is { IsGenericType: true } windowed && windowed.GetGenericTypeDefinition() == typeof(WindowedAggregate<,,>))
            {
                node = (PlanNode)windowed.GetProperty(nameof(WindowedAggregate<int, int, int>.PerBatch))!.GetValue(node)!;
            }

            var type = node.GetType();
            var form = !type.IsGenericType ? null
                : type.GetGenericTypeDefinition() == typeof(HashAggregate<,,>) ? typeof(GroupPartials<,,>)
                : type.GetGenericTypeDefinition() == typeof(BatchAggregate<,,>) ? typeof(ScalarPartials<,,>)
                : null;
            if (form is null)
            {
                throw new InvalidOperationException($"The aggregate {PlanText.Of(_aggregate.Tree)} compiled to {node.Kind}, which has no partial form; it cannot be combined on the executors.");
            }

            _compiled = (Partials)Activator.CreateInstance(form.MakeGenericType(type.GetGenericArguments()), node)!;
        }

        return _compiled;
    }

    private static string Describe(AggregateSpec aggregate) => Describe(aggregate.Kind, aggregate.Selector);

    private static string Describe(AggregateKind kind, LambdaExpression? selector)
    {
        var of = selector is null ? "" : $"({PlanText.Of(selector)})";
        return kind switch
        {
            AggregateKind.Average => $"average{of} (as sum and count)",
            AggregateKind.CountIf => $"count{of}",
            _ => $"{kind.ToString().ToLowerInvariant()}{of}",
        };
    }

    private static BatchFailedException Failed(BatchTime time, PlanNode aggregate, Exception error) =>
        new(time, aggregate.Description, error is AggregateException { InnerExceptions: [var only] } ? only : error);

    /// <summary>The partial and merge forms of one compiled aggregate.</summary>
    internal abstract class Partials
    {
        /// <summary>
        /// Executor: the batch's partials per key partition (a GroupBy's split by key hash, a
        /// stream's aggregate to partition 0), each written with the state codecs; null for a
        /// partition that gets none.
        /// </summary>
        /// <param name="batch">The map task's batch.</param>
        /// <param name="partitions">Into how many key partitions to split the keys by their hash; 1 sends every key to partition 0.</param>
        /// <exception cref="BatchFailedException">User code in the narrow part or the aggregate threw; the message names the aggregate.</exception>
        public abstract Action<Utf8JsonWriter>?[] Map(BatchExecution batch, int partitions);

        /// <summary>Reducer: one map task's partial, as <see cref="Map"/> wrote it.</summary>
        /// <exception cref="InvalidDataException">The section is not a partial of this aggregate.</exception>
        public abstract object ReadPartial(JsonElement section);

        /// <summary>
        /// Reducer, for a GroupBy aggregate over a window: merges <paramref name="partials"/> (in
        /// map task order) into the batch's group table, which the reducer's windowed aggregate takes in.
        /// </summary>
        /// <exception cref="BatchFailedException">A merge threw (a decimal sum that overflows); the message names the aggregate.</exception>
        public abstract object MergeTable(BatchTime time, IReadOnlyList<object> partials);

        /// <summary>Reducer: merges <paramref name="partials"/> (in map task order) and finishes the aggregate (projects each group).</summary>
        /// <exception cref="BatchFailedException">A merge or the result threw (a decimal sum or a narrowing that overflows, user code in a projection); the message names the aggregate.</exception>
        public abstract Array Merge(BatchTime time, IReadOnlyList<object> partials);
    }

    private sealed class GroupPartials<TIn, TKey, TOut>(HashAggregate<TIn, TKey, TOut> aggregate) : Partials
    {
        public override Action<Utf8JsonWriter>?[] Map(BatchExecution batch, int partitions)
        {
            var writers = new Action<Utf8JsonWriter>?[partitions];
            if (batch.Records<TIn>(aggregate.Child) is not { } input)
            {
                return writers;
            }

            GroupTable<TKey> table;
            try
            {
                table = aggregate.Accumulate(input, batch);
            }
            catch (Exception error) when (error is not (BatchFailedException or OperationCanceledException))
            {
                throw Failed(batch.Time, aggregate, error);
            }

            if (table.Count == 0)
            {
                return writers;
            }

            if (partitions == 1)
            {
                writers[0] = writer => GroupTableState.Write(writer, table);
                return writers;
            }

            // Each key's slot is copied into its partition's table, keys keeping their order.
            var split = new GroupTable<TKey>?[partitions];
            for (var slot = 0; slot < table.Count; slot++)
            {
                var key = table.Keys[slot];
                var part = split[StableHash.Partition(key, partitions)] ??= new GroupTable<TKey>(aggregate.NewColumns());
                var into = part.FindOrAdd(key, out var isNew);
                for (var c = 0; c < part.Columns.Length; c++)
                {
                    part.Columns[c].Merge(into, table.Columns[c], slot, isNew);
                }
            }

            for (var k = 0; k < partitions; k++)
            {
                if (split[k] is { } part)
                {
                    writers[k] = writer => GroupTableState.Write(writer, part);
                }
            }

            return writers;
        }

        public override object ReadPartial(JsonElement section) => GroupTableState.Read<TKey>(section, aggregate.NewColumns());

        public override object MergeTable(BatchTime time, IReadOnlyList<object> partials)
        {
            try
            {
                var merged = partials.Count == 0 ? new GroupTable<TKey>(aggregate.NewColumns()) : (GroupTable<TKey>)partials[0];
                for (var i = 1; i < partials.Count; i++)
                {
                    merged.MergeFrom((GroupTable<TKey>)partials[i]);
                }

                return merged;
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                throw Failed(time, aggregate, error);
            }
        }

        public override Array Merge(BatchTime time, IReadOnlyList<object> partials)
        {
            var merged = (GroupTable<TKey>)MergeTable(time, partials);
            try
            {
                return aggregate.Project(merged, include: null);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                throw Failed(time, aggregate, error);
            }
        }
    }

    private sealed class ScalarPartials<TIn, TStorage, TOut>(BatchAggregate<TIn, TStorage, TOut> aggregate) : Partials
    {
        public override Action<Utf8JsonWriter>?[] Map(BatchExecution batch, int partitions)
        {
            var writers = new Action<Utf8JsonWriter>?[partitions];
            if (batch.Records<TIn>(aggregate.Child) is not { } input)
            {
                return writers;
            }

            BatchAggregate<TIn, TStorage, TOut>.Partial partial;
            try
            {
                partial = aggregate.Accumulate(input, batch);
            }
            catch (Exception error) when (error is not (BatchFailedException or OperationCanceledException))
            {
                throw Failed(batch.Time, aggregate, error);
            }

            if (partial.Count > 0)
            {
                writers[0] = writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("count", partial.Count);
                    writer.WritePropertyName("value");
                    StateCodecs.For<TStorage>().Write(writer, partial.Value);
                    writer.WriteEndObject();
                };
            }

            return writers;
        }

        public override object ReadPartial(JsonElement section) =>
            section.ValueKind == JsonValueKind.Object && section.TryGetProperty("count", out var count) && section.TryGetProperty("value", out var value)
                ? new BatchAggregate<TIn, TStorage, TOut>.Partial(count.GetInt64(), StateCodecs.For<TStorage>().Read(value))
                : throw new InvalidDataException($"A partial of {aggregate.Description} needs a count and a value; the section holds {section.ValueKind}.");

        public override object MergeTable(BatchTime time, IReadOnlyList<object> partials) =>
            throw new NotSupportedException($"{aggregate.Description} keeps no group table; only a GroupBy aggregate over a window is merged into one.");

        public override Array Merge(BatchTime time, IReadOnlyList<object> partials)
        {
            try
            {
                var total = default(BatchAggregate<TIn, TStorage, TOut>.Partial);
                foreach (var partial in partials)
                {
                    total = aggregate.Merge(total, (BatchAggregate<TIn, TStorage, TOut>.Partial)partial);
                }

                return aggregate.Finish(total);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                throw Failed(time, aggregate, error);
            }
        }
    }
}
