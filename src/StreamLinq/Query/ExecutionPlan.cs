using StreamLinq.Execution;
using StreamLinq.Sinks;

namespace StreamLinq.Query;

/// <summary>The compiled form of a context's queries: one plan root per output operation, sharing common nodes.</summary>
internal sealed record ExecutionPlan(IReadOnlyList<(OutputOperation Output, PlanNode Root)> Outputs)
{
    /// <summary>Every node reachable from <paramref name="root"/>, each once.</summary>
    public static IEnumerable<PlanNode> Nodes(PlanNode root)
    {
        var seen = new HashSet<PlanNode>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<PlanNode>([root]);
        while (pending.TryPop(out var node))
        {
            if (seen.Add(node))
            {
                yield return node;
                foreach (var child in node.Children)
                {
                    pending.Push(child);
                }
            }
        }
    }
}
