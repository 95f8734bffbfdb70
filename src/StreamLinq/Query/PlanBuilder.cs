using System.Linq.Expressions;
using StreamLinq.Execution;
using StreamLinq.Query.Logical;
using StreamLinq.Sinks;

namespace StreamLinq.Query;

/// <summary>
/// The two steps from query trees to running code, once, when the context starts: the planner
/// (<see cref="QueryPlanner"/>) turns the trees into a logical plan, the compiler
/// (<see cref="PlanCompiler"/>) turns that into physical nodes. One builder plans and compiles
/// the outputs it is given together, so a subtree they share becomes one node.
/// </summary>
internal sealed class PlanBuilder
{
    private readonly QueryPlanner _planner = new();
    private readonly PlanCompiler _compiler = new();

    public ExecutionPlan Build(IEnumerable<OutputOperation> outputs) => _compiler.Compile(_planner.Plan(outputs));

    public PlanNode Build(Expression expression) => _compiler.Compile(_planner.Plan(expression));

    /// <summary>The logical plan of every output with the physical choice beside each node (<see cref="PlanExplainer"/>).</summary>
    public string Explain(IEnumerable<OutputOperation> outputs)
    {
        var plan = _planner.Plan(outputs);
        _compiler.Compile(plan);
        return PlanExplainer.Explain(plan, _compiler);
    }

    /// <summary>The logical plan of one stream with the physical choice beside each node.</summary>
    public string Explain(Expression expression)
    {
        var root = _planner.Plan(expression);
        _compiler.Compile(root);
        return PlanExplainer.Explain(root, _compiler);
    }
}
