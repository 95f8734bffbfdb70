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
        // A queued array is the batch as it is, and several queued arrays are its segments: the
        // engine only reads a batch's records, and copying a large batch into fresh memory was
        // most of what a batch cost (issue 12).
        if (oneAtATime)
        {
            return new SealedRecords(new BatchRecords<T>(queue.TryDequeue(out var next) ? AsArray(next) : []));
        }

        if (!queue.TryDequeue(out var first))
        {
            return new SealedRecords(new BatchRecords<T>([]));
        }

        if (queue.IsEmpty)
        {
            return new SealedRecords(new BatchRecords<T>(AsArray(first)));
        }

        var segments = new List<ReadOnlyMemory<T>> { AsArray(first) };
        while (queue.TryDequeue(out var next))
        {
            segments.Add(AsArray(next));
        }

        return new SealedRecords(new BatchRecords<T>(segments, null));
    }

    // Exactly a T[]: through array covariance a string[] is an object[], and a node of object
    // records may store any object into the arrays it is given.
    private static T[] AsArray(IEnumerable<T> records) =>
        records is T[] array && array.GetType() == typeof(T[]) ? array : records.ToArray();
}
