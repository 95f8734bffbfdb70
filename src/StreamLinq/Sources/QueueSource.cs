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

    public Task StartAsync(SourceContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync() => Task.CompletedTask;

    public ISealedInput Seal(BatchTime time)
    {
        if (oneAtATime)
        {
            return new SealedRecords(queue.TryDequeue(out var next) ? next.ToArray() : Array.Empty<T>());
        }

        // One array of the exact size, copied into once: a growing list would allocate and copy
        // about twice the batch, and fresh memory is what a large batch pays for most.
        var chunks = new List<T[]>();
        var total = 0;
        while (queue.TryDequeue(out var next))
        {
            var chunk = next as T[] ?? next.ToArray();
            chunks.Add(chunk);
            total = checked(total + chunk.Length);
        }

        var all = new T[total];
        var offset = 0;
        foreach (var chunk in chunks)
        {
            chunk.CopyTo(all, offset);
            offset += chunk.Length;
        }

        return new SealedRecords(all);
    }
}
