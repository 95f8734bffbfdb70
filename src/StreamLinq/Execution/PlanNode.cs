namespace StreamLinq.Execution;

/// <summary>
/// One step of a physical plan. Computing it for a batch yields that batch's records as a
/// <c>T[]</c>; a node shared by several outputs is computed once per batch. Nodes are built by
/// the planner's compiler (<c>Query/PlanCompiler</c>) with their code already compiled: a node
/// runs what it is given and never plans.
/// </summary>
internal abstract class PlanNode
{
    /// <summary>
    /// The kind of step, as <c>Explain</c> shows it: Source, FusedStage, HashAggregate, LinqToObjects.
    /// A fixed name per node type, and the prefix of a stateful node's state id: renaming one
    /// leaves the checkpointed state of that kind behind.
    /// </summary>
    public abstract string Kind { get; }

    /// <summary>What the step does, in the query's own terms.</summary>
    public abstract string Detail { get; }

    public abstract IReadOnlyList<PlanNode> Children { get; }

    /// <summary>How the step runs, beside its kind in <c>Explain</c> (e.g. "incremental"); null when the kind says it all.</summary>
    public virtual string? Strategy => null;

    public abstract Type ElementType { get; }

    /// <summary>
    /// The hash (hex) of the normalised structural form of the query subtree this node was
    /// compiled from (<c>Query/CanonicalForm</c>), set by the compiler on stateful nodes; null for
    /// a node made inside another one. A stateful node's state id is its kind and this hash, never
    /// a rendering of the plan.
    /// </summary>
    public string? StructuralHash { get; set; }

    /// <summary>The name <c>.Named(...)</c> gave a stateful node, set by the compiler; null when unnamed.</summary>
    public string? StateName { get; set; }

    /// <summary>
    /// The id derived from the node's structure: its <see cref="Kind"/> and the first 12 hex digits
    /// of <see cref="StructuralHash"/>, e.g. <c>Window#1f2e3d4c5b6a</c>. The same query gets the same
    /// ids in every build and after a restart; <see cref="State.StateIds.Distinct"/> tells apart
    /// nodes whose subtrees are structurally the same. A name leaves it as it was unnamed, so an
    /// upgrade that only names an operator finds its state under this id.
    /// </summary>
    /// <exception cref="InvalidOperationException">The node was not compiled from a query tree, so its state has no id.</exception>
    public string DerivedStateId =>
        $"{Kind}#{(StructuralHash ?? throw new InvalidOperationException($"The {Kind} node was not built from a query tree by the planner, so its state has no id."))[..12]}";

    /// <summary>The state id of a stateful node: its <see cref="StateName"/>, or else its <see cref="DerivedStateId"/>.</summary>
    /// <exception cref="InvalidOperationException">The node is unnamed and was not compiled from a query tree, so its state has no id.</exception>
    protected string StateIdFromStructure() => StateName ?? DerivedStateId;

    /// <summary>The step's name in messages: its kind and detail.</summary>
    public string Description => $"{Kind} [{Detail}]";

    /// <summary>
    /// Computes the batch's records; called once per batch through <see cref="BatchExecution.Evaluate"/>.
    /// Null means the stream has no batch at this time (a window between two slides): nodes above
    /// pass the null on, and an output whose root yields null does not run for this batch.
    /// </summary>
    public abstract Array? Compute(BatchExecution batch);

    /// <summary>
    /// The batch's records as <see cref="Compute"/> makes them, or as segments
    /// (<see cref="Sources.BatchRecords"/>) when the node has them so (a fused stage's eager work):
    /// what <see cref="BatchExecution"/> keeps for the batch.
    /// </summary>
    public virtual object? ComputeResult(BatchExecution batch) => Compute(batch);
}
