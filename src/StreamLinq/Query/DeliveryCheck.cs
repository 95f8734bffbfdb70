using System.Reflection;
using StreamLinq.Execution;

namespace StreamLinq.Query;

/// <summary>Refuses, at start, an exactly-once output whose source or sink cannot give it.</summary>
internal static class DeliveryCheck
{
    public static void Validate(ExecutionPlan plan)
    {
        foreach (var (output, root) in plan.Outputs.Where(o => o.Output.Delivery == DeliveryGuarantee.ExactlyOnce))
        {
            // Both checked before refusing: a message that names only one would send the user to mark the sink, then refuse again for the source.
            var sources = ExecutionPlan.Nodes(root).OfType<SourceNode>().Where(s => !s.Source.IsReplayable).Select(s => s.Source.Name).Distinct().ToList();
            var sinkUnsafe = !IsReplaySafe(output.Target);
            const string ReplayableSources = "a directory of files, a durable log, a receiver with a write-ahead log";
            var sink = $"neither transactional ({nameof(ITransactionalSink)}) " +
                $"nor idempotent ({nameof(IIdempotentSink)}, [{nameof(IdempotentSinkAttribute).Replace("Attribute", "", StringComparison.Ordinal)}])";
            var source = string.Join(" and ", sources);
            var problem = (sources.Count > 0, sinkUnsafe) switch
            {
                (true, false) =>
                    $"its source {source} cannot replay a batch: the source is the problem, and marking the sink does not help. " +
                    $"Use a replayable source ({ReplayableSources}) or ask for at-least-once delivery.",
                (false, true) =>
                    $"its sink is {sink}. Make the sink idempotent and mark it, or ask for at-least-once delivery.",
                (true, true) =>
                    $"neither its source nor its sink can give it: its source {source} cannot replay a batch (use a replayable source: {ReplayableSources}), " +
                    $"and its sink is {sink}. Fix both, or ask for at-least-once delivery.",
                _ => null,
            };
            if (problem is not null)
            {
                throw new InvalidOperationException($"{output.Description} asks for exactly-once delivery, but {problem}");
            }
        }
    }

    /// <summary>Whether a sink object or delegate declares that replaying a batch through it is harmless.</summary>
    public static bool IsReplaySafe(object target) => target switch
    {
        IIdempotentSink or ITransactionalSink => true,
        Delegate d => d.Method.IsDefined(typeof(IdempotentSinkAttribute)) || (d.Method.DeclaringType?.IsDefined(typeof(IdempotentSinkAttribute)) ?? false),
        _ => target.GetType().IsDefined(typeof(IdempotentSinkAttribute)),
    };
}
