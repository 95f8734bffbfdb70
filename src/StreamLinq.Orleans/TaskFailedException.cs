using System.Data.Common;
using System.Net.Sockets;
using Orleans;

namespace StreamLinq.Orleans;

/// <summary>
/// A map or reduce task that failed, as it reaches the driver: the engine's own exceptions
/// (<see cref="BatchFailedException"/>) and user code's are not Orleans-serializable, so a task
/// sends their messages, innermost causes included, and whether the cause is one a retry may
/// get past (I/O, a timeout, a transient database error) rather than user code that throws.
/// </summary>
[GenerateSerializer]
[Alias("StreamLinq.Orleans.TaskFailedException")]
internal sealed class TaskFailedException : Exception
{
    public TaskFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Whether the driver retries the batch (a server or the network failed) instead of stopping the job.</summary>
    [Id(0)]
    public bool IsTransient { get; init; }

    public static TaskFailedException From(string task, Exception error)
    {
        var causes = new List<string>();
        var transient = false;
        for (var cause = error; cause is not null; cause = cause.InnerException)
        {
            causes.Add($"{cause.GetType().Name}: {cause.Message}");
            transient |= cause is IOException or SocketException or TimeoutException or DbException { IsTransient: true };
        }

        return new TaskFailedException($"{task} failed: {string.Join(" ← ", causes)}") { IsTransient = transient };
    }
}
