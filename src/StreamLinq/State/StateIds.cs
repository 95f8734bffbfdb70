namespace StreamLinq.State;

/// <summary>
/// State ids across a plan. A plan node's own id is its kind and a hash of the normalised
/// structural form of the query subtree it was compiled from, e.g. <c>Window#1f2e3d4c5b6a</c>
/// (<c>Query/CanonicalForm</c>, computed by the compiler from the logical plan: operators' methods
/// and generic type arguments, lambda bodies with parameters numbered by position, constants and
/// captured simple values by type and value, inputs by id and kind). Of what <c>Explain</c> prints
/// only the physical kind (a fixed name per node type) enters it, so a new rendering of plans
/// keeps every id; a changed lambda or constant at or below the operator changes it.
/// </summary>
/// <remarks>
/// The same query gets the same ids in every build and after a restart. Operators whose subtrees
/// are structurally the same (one query defined twice, or differing only in a captured object,
/// whose contents do not count) are told apart by <see cref="Distinct"/> through their order in
/// the plan, which the same query keeps.
/// </remarks>
internal static class StateIds
{
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
