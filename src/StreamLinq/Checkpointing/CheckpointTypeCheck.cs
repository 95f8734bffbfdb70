using StreamLinq.Query;
using StreamLinq.Sources;
using StreamLinq.State;
using StreamLinq.State.Codecs;

namespace StreamLinq.Checkpointing;

/// <summary>
/// Refuses, at start with checkpointing, a query whose state would hold a value that cannot
/// round-trip through a checkpoint: better no start than a restart that silently loses data.
/// </summary>
internal static class CheckpointTypeCheck
{
    /// <exception cref="InvalidOperationException">A stateful operator or logged source holds a type <see cref="StateCodecs"/> refuses; the message names the type, the operator and why.</exception>
    public static void Validate(ExecutionPlan plan, IEnumerable<IBatchSource> sources)
    {
        var holders = plan.Outputs
            .SelectMany(o => ExecutionPlan.Nodes(o.Root))
            .Distinct(ReferenceEqualityComparer.Instance)
            .OfType<IStatefulOperator>()
            .Select(op => (Where: $"the state of {op.StateId}", Types: op.CheckpointedTypes))
            .Concat(sources.OfType<IStatefulOperator>().Select(s => (Where: $"the write-ahead log of {((IBatchSource)s).Name}", Types: s.CheckpointedTypes)));
        var problems = new List<string>();
        foreach (var (where, types) in holders)
        {
            foreach (var type in types.Distinct())
            {
                if (StateCodecs.Problem(type) is { } problem)
                {
                    problems.Add($"{TypeNames.Of(type)}, held in {where}, cannot be checkpointed: {problem}");
                }
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException(
                "This query's state cannot be checkpointed, so the context does not start (a restart would lose or corrupt it).\n" +
                string.Join("\n", problems.Distinct()));
        }
    }
}
