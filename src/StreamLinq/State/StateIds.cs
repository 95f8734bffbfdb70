using System.Security.Cryptography;
using System.Text;
using StreamLinq.Execution;
using StreamLinq.Query;

namespace StreamLinq.State;

/// <summary>
/// The <see cref="IStatefulOperator.StateId"/> of a plan node: its kind and a hash of its plan
/// subtree as <c>Explain</c> renders it (operators, lambdas, sources), e.g. <c>Window#1f2e3d4c</c>.
/// The same query gets the same ids after a restart; two nodes share an id only when they
/// compute the same thing from the same inputs, and so hold the same state.
/// </summary>
internal static class StateIds
{
    public static string For(PlanNode node)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(PlanExplainer.Explain(node)));
        return $"{node.Kind}#{Convert.ToHexStringLower(hash, 0, 6)}";
    }
}
