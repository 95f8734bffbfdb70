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
            foreach (var source in ExecutionPlan.Nodes(root).OfType<SourceNode>().Where(s => !s.Source.IsReplayable))
            {
                throw new InvalidOperationException(
                    $"{output.Description} asks for exactly-once delivery, but its source {source.Source.Name} cannot replay a batch. " +
                    "Use a replayable source (a directory of files, a durable log) or ask for at-least-once delivery.");
            }

            if (!IsReplaySafe(output.Target))
            {
                throw new InvalidOperationException(
                    $"{output.Description} asks for exactly-once delivery, but its sink is neither transactional ({nameof(ITransactionalSink)}) " +
                    $"nor idempotent ({nameof(IIdempotentSink)}, [{nameof(IdempotentSinkAttribute).Replace("Attribute", "", StringComparison.Ordinal)}]).");
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
