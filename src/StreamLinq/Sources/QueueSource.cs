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
        // A queued array is the batch as it is: the engine only reads a batch's records, and
        // copying a large batch into fresh memory was most of what a batch cost (issue 12).
        if (oneAtATime)
        {
            return new SealedRecords(queue.TryDequeue(out var next) ? AsArray(next) : Array.Empty<T>());
        }

        if (!queue.TryDequeue(out var first))
        {
            return new SealedRecords(Array.Empty<T>());
        }

        if (queue.IsEmpty)
        {
            return new SealedRecords(AsArray(first));
        }

        // One array of the exact size, copied into once: a growing list would allocate and copy
        // about twice the batch, and fresh memory is what a large batch pays for most.
        var chunks = new List<T[]> { AsArray(first) };
        var total = chunks[0].Length;
        while (queue.TryDequeue(out var next))
        {
            var chunk = AsArray(next);
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

    // Exactly a T[]: through array covariance a string[] is an object[], and a node of object
    // records may store any object into the arrays it is given.
    private static T[] AsArray(IEnumerable<T> records) =>
        records is T[] array && array.GetType() == typeof(T[]) ? array : records.ToArray();
}
