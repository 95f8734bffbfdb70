using System.Text;
using StreamLinq.Execution;

namespace StreamLinq.Query;

/// <summary>Renders plans as indented trees for <c>Explain()</c>.</summary>
internal static class PlanExplainer
{
    public static string Explain(ExecutionPlan plan)
    {
        var text = new StringBuilder();
        foreach (var (output, root) in plan.Outputs)
        {
            text.AppendLine($"{output.Description} ({Describe(output.Delivery)})");
            Append(text, root, "");
        }

        return text.ToString();
    }

    public static string Explain(PlanNode root)
    {
        var text = new StringBuilder();
        Append(text, root, "");
        return text.ToString();
    }

    private static void Append(StringBuilder text, PlanNode node, string indent)
    {
        text.Append(indent).Append("└─ ").Append(node.Kind).Append(": ").AppendLine(node.Detail);
        if (node.FusedPrefix is { } prefix)
        {
            indent += "   ";
            text.Append(indent).Append("└─ FusedStage (in the same compiled loop): ").AppendLine(prefix);
        }

        foreach (var child in node.Children)
        {
            Append(text, child, indent + "   ");
        }
    }

    private static string Describe(DeliveryGuarantee delivery) => delivery switch
    {
        DeliveryGuarantee.AtMostOnce => "at most once",
        DeliveryGuarantee.AtLeastOnce => "at least once",
        _ => "exactly once",
    };
}
