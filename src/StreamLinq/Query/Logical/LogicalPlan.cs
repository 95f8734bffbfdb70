using StreamLinq.Sinks;

namespace StreamLinq.Query.Logical;

/// <summary>
/// The logical plan of a context's queries: one root per output operation, sharing common
/// nodes. Cluster mode cuts it into stages at the shuffle boundaries (<see cref="LogicalNode.Exchange"/>).
/// </summary>
internal sealed record LogicalPlan(IReadOnlyList<(OutputOperation Output, LogicalNode Root)> Outputs)
{
    /// <summary>Every node reachable from <paramref name="root"/>, each once, parents before their inputs.</summary>
    public static IEnumerable<LogicalNode> Nodes(LogicalNode root)
    {
        var seen = new HashSet<LogicalNode>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<LogicalNode>([root]);
        while (pending.TryPop(out var node))
        {
            if (seen.Add(node))
            {
                yield return node;
                foreach (var input in node.Inputs.Reverse())
                {
                    pending.Push(input);
                }
            }
        }
    }

    /// <summary>
    /// The stage of every node of one output's plan: nodes joined without a shuffle boundary
    /// share a stage; an input across a boundary starts a new one. Stages are numbered from 1 at
    /// the output, in the order the plan reaches them, so the same query gets the same numbers.
    /// Each output has its own stages (as Spark runs a job per output operation): a node the
    /// outputs share is in one stage of each.
    /// </summary>
    public static IReadOnlyDictionary<LogicalNode, int> Stages(LogicalNode root)
    {
        var stages = new Dictionary<LogicalNode, int>(ReferenceEqualityComparer.Instance);
        var next = 1;
        Assign(root, null);
        return stages;

        void Assign(LogicalNode node, int? stage)
        {
            if (stages.ContainsKey(node))
            {
                return;
            }

            stages[node] = stage ?? next++;
            foreach (var input in node.Inputs)
            {
                Assign(input, node.Exchange.IsBoundary ? null : stages[node]);
            }
        }
    }
}
