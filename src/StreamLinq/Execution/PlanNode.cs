using System.Linq.Expressions;

namespace StreamLinq.Execution;

/// <summary>
/// One step of a physical plan. Computing it for a batch yields that batch's records as a
/// <c>T[]</c>; a node shared by several outputs is computed once per batch.
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

    /// <summary>
    /// The Where/Select/SelectMany chain compiled into this node's own loop, if any (an
    /// aggregation absorbs the chain below it); <c>Explain</c> shows it as a fused stage.
    /// </summary>
    public virtual string? FusedPrefix => null;

    public abstract Type ElementType { get; }

    /// <summary>
    /// The query subtree the planner built this node from (its operator call, down to the
    /// inputs); null for a node made inside another one. A stateful node's state id is the
    /// structural form of this tree, never its rendering (<see cref="State.StateIds"/>).
    /// </summary>
    public Expression? PlannedFrom { get; set; }

    /// <summary>The step's name in messages: its kind and detail.</summary>
    public string Description => $"{Kind} [{Detail}]";

    /// <summary>
    /// Computes the batch's records; called once per batch through <see cref="BatchExecution.Evaluate"/>.
    /// Null means the stream has no batch at this time (a window between two slides): nodes above
    /// pass the null on, and an output whose root yields null does not run for this batch.
    /// </summary>
    public abstract Array? Compute(BatchExecution batch);
}
