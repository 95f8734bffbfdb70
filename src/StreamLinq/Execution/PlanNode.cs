namespace StreamLinq.Execution;

/// <summary>
/// One step of a physical plan. Computing it for a batch yields that batch's records as a
/// <c>T[]</c>; a node shared by several outputs is computed once per batch.
/// </summary>
internal abstract class PlanNode
{
    /// <summary>The kind of step, as <c>Explain</c> shows it: Source, FusedStage, HashAggregate, LinqToObjects.</summary>
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

    /// <summary>The step's name in messages: its kind and detail.</summary>
    public string Description => $"{Kind} [{Detail}]";

    /// <summary>
    /// Computes the batch's records; called once per batch through <see cref="BatchExecution.Evaluate"/>.
    /// Null means the stream has no batch at this time (a window between two slides): nodes above
    /// pass the null on, and an output whose root yields null does not run for this batch.
    /// </summary>
    public abstract Array? Compute(BatchExecution batch);
}
