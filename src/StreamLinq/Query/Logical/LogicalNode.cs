using System.Linq.Expressions;

namespace StreamLinq.Query.Logical;

/// <summary>
/// One operator of a logical plan: what the query says (operator, keys, whether it keeps state
/// across batches, what its inputs must be partitioned by), not how it runs. The planner
/// (<see cref="QueryPlanner"/>) builds these from expression trees without compiling anything;
/// the compiler (<see cref="PlanCompiler"/>) chooses a physical node for each, fusing several
/// into one where it can. Trill splits its operators the same way (<c>WhereStreamable</c>, the
/// logical node, and <c>WherePipe</c>, the physical one).
/// </summary>
internal abstract class LogicalNode(Expression tree, IReadOnlyList<LogicalNode> inputs)
{
    /// <summary>
    /// The query subtree this operator was planned from, down to the inputs. State ids and the
    /// query fingerprint come from its structural form (<see cref="CanonicalForm"/>), never from
    /// how it is rendered.
    /// </summary>
    public Expression Tree { get; } = tree;

    public IReadOnlyList<LogicalNode> Inputs { get; } = inputs;

    /// <summary>The element type of the stream the operator produces.</summary>
    public virtual Type ElementType => ExpressionShapes.ElementOf(Tree);

    /// <summary>The operator's name in the logical plan, e.g. Map, GroupAggregate, Window.</summary>
    public abstract string Operator { get; }

    /// <summary>What the operator does, in the query's own terms (C#, as the reader wrote it).</summary>
    public abstract string Detail { get; }

    /// <summary>The key the operator groups or partitions by, as C#; null for an unkeyed operator.</summary>
    public virtual string? Key => null;

    /// <summary>
    /// The identity <c>.Named(...)</c> gave this stateful operator, its state id in place of the
    /// derived one; null when unnamed.
    /// </summary>
    public string? Name { get; set; }

    /// <summary>Whether <see cref="Name"/> came from the output right after this node, which names the node only if it keeps state.</summary>
    public bool NamedByOutput { get; set; }

    /// <summary>Whether the operator keeps state across batches (so has a state id and is checkpointed).</summary>
    public virtual bool IsStateful => false;

    /// <summary>
    /// How the operator's inputs must be partitioned: a shuffle boundary when it is not
    /// <see cref="Exchange.None"/>. Cluster mode cuts the plan into stages there.
    /// </summary>
    public virtual Exchange Exchange => Exchange.None;
}
