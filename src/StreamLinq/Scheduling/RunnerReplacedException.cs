namespace StreamLinq.Scheduling;

/// <summary>
/// Thrown on a thread the runner left to a call that outlived its deadline (see
/// <see cref="RunnerDeadline"/>), when the call returns: another thread runs the batches now, so
/// this one unwinds without touching the batch and ends.
/// </summary>
internal sealed class RunnerReplacedException : Exception
{
    public RunnerReplacedException()
        : base("The call returned after its batch had gone on without it.")
    {
    }
}
