using Orleans;

namespace StreamLinq.Orleans;

/// <summary>
/// A map or reduce task that failed, as it reaches the driver: the engine's own exceptions
/// (<see cref="BatchFailedException"/>) and user code's are not Orleans-serializable, so a task
/// sends their messages, innermost causes included.
/// </summary>
[GenerateSerializer]
[Alias("StreamLinq.Orleans.TaskFailedException")]
internal sealed class TaskFailedException : Exception
{
    public TaskFailedException(string message)
        : base(message)
    {
    }

    public static TaskFailedException From(string task, Exception error)
    {
        var causes = new List<string>();
        for (var cause = error; cause is not null; cause = cause.InnerException)
        {
            causes.Add($"{cause.GetType().Name}: {cause.Message}");
        }

        return new TaskFailedException($"{task} failed: {string.Join(" ← ", causes)}");
    }
}
