using StreamLinq.Execution;
using StreamLinq.Query;
using StreamLinq.Sources;
using StreamLinq.State;
using StreamLinq.State.Codecs;

namespace StreamLinq.Checkpointing;

/// <summary>
/// What a checkpoint's state is made of, beside the state: the inputs, and per stateful operator
/// its identity, kind, key and state types and window. An upgraded query is checked against it
/// operator by operator (<see cref="StateUpgrade"/>) instead of refused for any change.
/// </summary>
/// <param name="Inputs">Each input's kind, by input id.</param>
/// <param name="Operators">Each stateful operator, in plan order.</param>
internal sealed record QuerySchema(IReadOnlyList<string> Inputs, IReadOnlyList<OperatorSchema> Operators)
{
    public static QuerySchema Of(ExecutionPlan plan, IEnumerable<IBatchSource> sources)
    {
        var nodes = plan.Outputs.SelectMany(o => ExecutionPlan.Nodes(o.Root)).Distinct(ReferenceEqualityComparer.Instance).OfType<IStatefulOperator>().ToList();
        var operators = StateIds.Distinct(nodes).Zip(nodes, (op, node) =>
        {
            var shape = (node as IShapedState)?.Shape;
            var physical = (PlanNode)node;
            return new OperatorSchema(
                op.StateId,
                physical.StateName is null ? op.StateId : physical.DerivedStateId,
                physical.Kind,
                shape?.Key is { } key ? TypeSchema.Of(key) : null,
                shape?.State is { } state ? TypeSchema.Of(state) : null,
                shape?.WindowLength?.Ticks,
                shape?.WindowSlide?.Ticks,
                shape?.Layout) { Shape = shape };
        }).ToList();
        return new QuerySchema(sources.Select(s => TypeSchema.NameOf(s.GetType())).ToList(), operators);
    }
}

/// <summary>One stateful operator of a <see cref="QuerySchema"/>.</summary>
/// <param name="Id">Its state id: its name, or its derived id.</param>
/// <param name="DerivedId">The id derived from its structure, which it had before it was named.</param>
/// <param name="Kind">The physical node's kind, e.g. <c>UpdateStateByKey</c>.</param>
/// <param name="Key">The key type; null for unkeyed state.</param>
/// <param name="State">The type of the values kept; null when the engine defines it.</param>
/// <param name="WindowLength">A processing-time window's length, in ticks.</param>
/// <param name="WindowSlide">A processing-time window's slide, in ticks.</param>
/// <param name="Layout">Anything else the layout rests on, as text.</param>
internal sealed record OperatorSchema(string Id, string DerivedId, string Kind, TypeSchema? Key, TypeSchema? State, long? WindowLength, long? WindowSlide, string? Layout)
{
    /// <summary>The live operator's shape, with its types; null in a schema read from a checkpoint.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public StateShape? Shape { get; init; }
}
