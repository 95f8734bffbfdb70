using System.Collections.Concurrent;

namespace StreamLinq.Sources;

/// <summary>
/// Spark's <c>queueStream</c>: each batch takes the next queued collection (or all of them), so a
/// test decides exactly which records land in which batch.
/// </summary>
internal sealed class QueueSource<T>(ConcurrentQueue<IEnumerable<T>> queue, bool oneAtATime) : IBatchSource<T>
{
    public string Name => "QueueStream";

    public bool IsReplayable => false;

    public bool HasPending => !queue.IsEmpty;

    public void Start(SourceContext context)
    {
    }

    public Task StopAsync() => Task.CompletedTask;

    public ISealedInput Seal(BatchTime time)
    {
        if (oneAtATime)
        {
            return new SealedRecords(queue.TryDequeue(out var next) ? next.ToArray() : Array.Empty<T>());
        }

        var all = new List<T>();
        while (queue.TryDequeue(out var next))
        {
            all.AddRange(next);
        }

        return new SealedRecords(all.ToArray());
    }
}
