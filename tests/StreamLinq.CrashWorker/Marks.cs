namespace StreamLinq.CrashWorker;

/// <summary>Announces a point of interest on standard output and lingers there, so a killer can aim.</summary>
internal sealed class Marks(int lingerMilliseconds)
{
    private readonly Lock _gate = new();

    public void Mark(string point)
    {
        lock (_gate)
        {
            Console.Out.WriteLine("MARK " + point);
            Console.Out.Flush();
        }

        if (lingerMilliseconds > 0)
        {
            Thread.Sleep(lingerMilliseconds);
        }
    }
}

/// <summary>The transactional sink with marks before it writes and after it commits.</summary>
internal sealed class MarkedSink(ITransactionalSink<long> inner, Marks marks) : ITransactionalSink<long>
{
    public Task WriteBatchAsync(IReadOnlyList<long> batch, BatchTime time, CancellationToken cancellationToken) =>
        inner.WriteBatchAsync(batch, time, cancellationToken);

    public async Task CommitBatchAsync(IReadOnlyList<long> batch, BatchCommit commit, CancellationToken cancellationToken)
    {
        marks.Mark("output");
        await inner.CommitBatchAsync(batch, commit, cancellationToken);
        marks.Mark("output-committed");
    }
}

/// <summary>Signals when a batch comes back empty: the pre-filled stream is drained.</summary>
internal sealed class DrainListener(TaskCompletionSource drained) : IStreamingListener
{
    public void OnBatchCompleted(BatchInfo batch)
    {
        if (batch.Failure is null && batch.RecordCount == 0)
        {
            drained.TrySetResult();
        }
    }

    public void OnCheckpointWarning(string message) => Console.Out.WriteLine("WARNING " + message);
}
