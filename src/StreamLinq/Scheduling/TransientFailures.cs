using System.Data.Common;
using System.Net.Sockets;

namespace StreamLinq;

/// <summary>The default classification of batch failures into transient (retried) and not.</summary>
public static class TransientFailures
{
    /// <summary>
    /// The default <see cref="StreamingOptions.IsTransient"/>: a source that reports a transient
    /// failure (<see cref="SourceException.IsTransient"/>, a time-out), an output that failed with
    /// an I/O, socket, time-out, HTTP or transient database error (anywhere in its inner
    /// exceptions), and a checkpoint write that failed with an I/O error. User code in the plan
    /// and any other exception from an output (an action that threw
    /// <see cref="InvalidOperationException"/>, say) are not transient: running the same code on
    /// the same records again would fail again.
    /// </summary>
    /// <param name="failure">The failure.</param>
    /// <returns>Whether a retry may succeed.</returns>
    public static bool IsTransient(BatchFailedException failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return failure.Stage switch
        {
            BatchStage.Source => failure.InnerException is SourceException { IsTransient: true } or TimeoutException,
            BatchStage.Output => IsTransientError(failure.InnerException),
            BatchStage.Checkpoint => failure.InnerException is IOException or TimeoutException,
            _ => false,
        };
    }

    private static bool IsTransientError(Exception? error)
    {
        for (var depth = 0; error is not null && depth < 8; depth++, error = error.InnerException)
        {
            switch (error)
            {
                case DbException database:
                    return database.IsTransient || database.InnerException is TimeoutException or IOException or SocketException;
                case TimeoutException or IOException or SocketException or HttpRequestException:
                case SourceException { IsTransient: true }:
                    return true;
            }
        }

        return false;
    }
}
