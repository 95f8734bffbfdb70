using System.Security.Cryptography;
using System.Text;
using StreamLinq.Execution;
using StreamLinq.Query;

namespace StreamLinq.State;

/// <summary>
/// The <see cref="IStatefulOperator.StateId"/> of a plan node: its kind and a hash of its plan
/// subtree as <c>Explain</c> renders it (operators, lambdas, sources), e.g. <c>Window#1f2e3d4c</c>.
/// The same query gets the same ids after a restart. Plans that render alike (the same
/// operators over a different captured value, say) are told apart by <see cref="Distinct"/>
/// through their order in the plan, which the same query keeps.
/// </summary>
internal static class StateIds
{
    public static string For(PlanNode node)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(PlanExplainer.Explain(node)));
        return $"{node.Kind}#{Convert.ToHexStringLower(hash, 0, 6)}";
    }

    /// <summary>
    /// The operators, in plan order, with the second and later of any that share an id renamed
    /// <c>id/2</c>, <c>id/3</c>, ... so that every state in a checkpoint has an id of its own.
    /// </summary>
    public static IStatefulOperator[] Distinct(IEnumerable<IStatefulOperator> operators)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        return operators.Select(op =>
        {
            var occurrence = seen[op.StateId] = seen.GetValueOrDefault(op.StateId) + 1;
            return occurrence == 1 ? op : new Renamed(op, $"{op.StateId}/{occurrence}");
        }).ToArray();
    }

    private sealed class Renamed(IStatefulOperator inner, string id) : IStatefulOperator
    {
        public string StateId => id;

        public int StateVersion => inner.StateVersion;

        public IEnumerable<Type> CheckpointedTypes => inner.CheckpointedTypes;

        public void WriteState(System.Text.Json.Utf8JsonWriter writer) => inner.WriteState(writer);

        public void ReadState(System.Text.Json.JsonElement state, int version) => inner.ReadState(state, version);
    }
}
