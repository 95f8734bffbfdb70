using System.Text;
using StreamLinq.Query.Logical;

namespace StreamLinq.Query;

/// <summary>
/// Renders a logical plan for <c>Explain()</c>: one line per logical operator (its name, what the
/// query says, whether it keeps state) with the physical choice beside it after <c>⇒</c>, and a
/// line for each shuffle boundary, where cluster mode will cut the plan into stages. Display
/// only: state ids and the query fingerprint come from the plan's structure, not from this text.
/// </summary>
/// <example>
/// <code>
/// ForEachBatch #1 (at least once)
/// └─ GroupAggregate: key: w => w; aggregates: Count ⇒ HashAggregate: partial aggregates per partition merged in partition order, or radix partitions by key hash for many keys
///    ═ shuffle: hash by w => w; stage 2 → stage 1
///    └─ Map: Where(w => w.Length > 2) ⇒ FusedStage (in the same compiled loop as the operator above)
///       └─ Source: QueueStream#0 ⇒ Source
/// </code>
/// </example>
internal static class PlanExplainer
{
    public static string Explain(LogicalPlan plan, PlanCompiler compiler)
    {
        var text = new StringBuilder();
        foreach (var (output, root) in plan.Outputs)
        {
            text.AppendLine($"{output.Description} ({Describe(output.Delivery)})");
            Append(text, root, "", compiler, LogicalPlan.Stages(root));
        }

        return text.ToString();
    }

    public static string Explain(LogicalNode root, PlanCompiler compiler)
    {
        var text = new StringBuilder();
        Append(text, root, "", compiler, LogicalPlan.Stages(root));
        return text.ToString();
    }

    private static void Append(StringBuilder text, LogicalNode node, string indent, PlanCompiler compiler, IReadOnlyDictionary<LogicalNode, int> stages)
    {
        text.Append(indent).Append("└─ ").Append(node.Operator);
        if (node.Name is { } name && (!node.NamedByOutput || node.IsStateful))
        {
            text.Append(" \"").Append(name).Append('"');
        }

        text.Append(": ").Append(node.Detail);
        if (node.IsStateful)
        {
            text.Append("; stateful");
        }

        text.Append(" ⇒ ").AppendLine(compiler.ChoiceFor(node));
        indent += "   ";
        if (node.Exchange.IsBoundary)
        {
            var below = string.Join(", ", node.Inputs.Select(input => "stage " + stages[input]).Distinct());
            text.Append(indent).Append("═ ").Append(node.Exchange).Append("; ").Append(below).Append(" → stage ").Append(stages[node]).AppendLine();
        }

        foreach (var input in node.Inputs)
        {
            Append(text, input, indent, compiler, stages);
        }
    }

    private static string Describe(DeliveryGuarantee delivery) => delivery switch
    {
        DeliveryGuarantee.AtMostOnce => "at most once",
        DeliveryGuarantee.AtLeastOnce => "at least once",
        _ => "exactly once",
    };
}
