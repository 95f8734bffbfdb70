using System.Linq.Expressions;
using System.Text.Json;
using StreamLinq.Execution;
using StreamLinq.Query;
using StreamLinq.Query.Logical;
using StreamLinq.State;

namespace StreamLinq.Distributed;

/// <summary>
/// The map-side combine of a GroupBy aggregate right above the narrow part (Spark's): each map
/// task aggregates its partition's records per key with the aggregate's own compiled loop, the
/// one a single process runs (<see cref="HashAggregate{TIn,TKey,TOut}.Accumulate"/>, the narrow
/// part fused in), and ships one partial per key (the key's slot of the group table: its record
/// count, sums, minima, maxima) to the key's partition. The reducer merges the partials of every
/// map task in task order (<see cref="GroupTable{TKey}.MergeFrom"/>: counts and sums add, minima
/// and maxima compare, an average is its sum and the record count) and projects each group, in
/// order of first appearance, as the aggregate would over the batch; the rest of the plan reads
/// that in place of the aggregate.
/// </summary>
/// <remarks>
/// Integers are exact: sums are kept wide (<see cref="WideSum"/>) and narrowed, checked, only in
/// the projection, on the group's value. A floating-point sum or average is the same sum added in
/// another order (each map task's partial first, then the partials in task order), so it may
/// differ from one process's in the last bits, as Spark's does.
/// </remarks>
internal sealed class PartialAggregation(GroupAggregateOperator aggregate)
{
    private Tables? _compiled;

    /// <summary>The aggregate's subtree, which the reducers' plan reads from the shuffle instead.</summary>
    public Expression Tree => aggregate.Tree;

    /// <summary>The aggregate's result type: what the reducers' plan reads from the shuffle.</summary>
    public Type ResultType => aggregate.ElementType;

    /// <summary>The aggregate's key and aggregates, as the query wrote them.</summary>
    public string Detail => aggregate.Detail;

    /// <summary>What a partial holds, for <see cref="DistributedPlan.Explain"/>: <c>count, sum(x =&gt; x.Price), ...</c>.</summary>
    public string Aggregates =>
        string.Join(", ", aggregate.Aggregation.Aggregates.Select(a => a.Kind switch
        {
            AggregateKind.CountIf => $"count({PlanText.Of(a.Selector!)})",
            AggregateKind.Average => $"average{Of(a)} (as sum and count)",
            _ => $"{a.Kind.ToString().ToLowerInvariant()}{Of(a)}",
        }).Prepend("count").Distinct());

    /// <summary>The aggregate compiled by <paramref name="builder"/>, on first use.</summary>
    public Tables Compile(PlanBuilder builder)
    {
        if (_compiled is null)
        {
            var node = builder.Build(aggregate.Tree);
            var type = node.GetType();
            if (!type.IsGenericType || type.GetGenericTypeDefinition() != typeof(HashAggregate<,,>))
            {
                throw new InvalidOperationException($"The aggregate {PlanText.Of(aggregate.Tree)} compiled to {node.Kind}, not a hash aggregation; it cannot be combined on the executors.");
            }

            _compiled = (Tables)Activator.CreateInstance(typeof(Tables<,,>).MakeGenericType(type.GetGenericArguments()), node)!;
        }

        return _compiled;
    }

    private static string Of(AggregateSpec aggregate) => aggregate.Selector is null ? "" : $"({PlanText.Of(aggregate.Selector)})";

    /// <summary>The partial and merge forms of one compiled aggregate.</summary>
    internal abstract class Tables
    {
        /// <summary>
        /// Executor: the batch's partials per key partition, each written as a group table's state
        /// (<see cref="GroupTableState"/>); null for a partition that gets no key.
        /// </summary>
        /// <param name="batch">The map task's batch.</param>
        /// <param name="partitions">Into how many key partitions to split the keys by their hash; 1 sends every key to partition 0.</param>
        /// <exception cref="BatchFailedException">User code in the narrow part or the aggregate threw; the message names the aggregate.</exception>
        public abstract Action<Utf8JsonWriter>?[] Map(BatchExecution batch, int partitions);

        /// <summary>Reducer: one map task's partial, as <see cref="Map"/> wrote it.</summary>
        /// <exception cref="InvalidDataException">The section is not a partial of this aggregate.</exception>
        public abstract object ReadPartial(JsonElement section);

        /// <summary>Reducer: merges <paramref name="partials"/> (in map task order) and projects each group.</summary>
        /// <exception cref="BatchFailedException">A projection threw (an overflowing narrowing, user code); the message names the aggregate.</exception>
        public abstract Array Merge(BatchTime time, IReadOnlyList<object> partials);
    }

    private sealed class Tables<TIn, TKey, TOut>(HashAggregate<TIn, TKey, TOut> aggregate) : Tables
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
                throw Failed(batch.Time, error);
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

        public override Array Merge(BatchTime time, IReadOnlyList<object> partials)
        {
            if (partials.Count == 0)
            {
                return Array.Empty<TOut>();
            }

            var merged = (GroupTable<TKey>)partials[0];
            for (var i = 1; i < partials.Count; i++)
            {
                merged.MergeFrom((GroupTable<TKey>)partials[i]);
            }

            try
            {
                return aggregate.Project(merged, include: null);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                throw Failed(time, error);
            }
        }

        private BatchFailedException Failed(BatchTime time, Exception error) =>
            new(time, aggregate.Description, error is AggregateException { InnerExceptions: [var only] } ? only : error);
    }
}
