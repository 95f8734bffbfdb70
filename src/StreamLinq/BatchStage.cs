namespace StreamLinq;

/// <summary>Where in a batch's processing a <see cref="BatchFailedException"/> was thrown.</summary>
/// <remarks>
/// The stage decides what a retry of the batch repeats (see <see cref="RestartStrategy"/>) and
/// whether the default <see cref="StreamingOptions.IsTransient"/> counts the failure as transient.
/// </remarks>
public enum BatchStage
{
    /// <summary>User code in the plan: a lambda of the query or a stateful operator's function.</summary>
    Operator,

    /// <summary>Resolving or reading an input's records.</summary>
    Source,

    /// <summary>An output operation: a sink or a <c>ForEachBatch</c> action.</summary>
    Output,

    /// <summary>Writing a checkpoint or acknowledging the sources after one.</summary>
    Checkpoint,

    /// <summary>The engine itself; never retried.</summary>
    Scheduler,
}
