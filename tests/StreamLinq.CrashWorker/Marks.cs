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

/// <summary>
/// Marks the outputs of one run: <c>recovery</c> before the first output of a restarted worker
/// (the replay of what the previous one left), then <c>output</c> before and
/// <c>output-committed</c> after every batch.
/// </summary>
internal sealed class OutputMarks(Marks marks, bool restarted)
{
    private int _outputs;

    public void Before()
    {
        if (restarted && Interlocked.Increment(ref _outputs) == 1)
        {
            marks.Mark("recovery");
        }

        marks.Mark("output");
    }

    public void After() => marks.Mark("output-committed");
}

/// <summary>The transactional sink with marks before it writes and after it commits.</summary>
internal sealed class MarkedSink(ITransactionalSink<long> inner, OutputMarks marks) : ITransactionalSink<long>
{
    public Task WriteBatchAsync(IReadOnlyList<long> batch, BatchTime time, CancellationToken cancellationToken) =>
        inner.WriteBatchAsync(batch, time, cancellationToken);

    // Forwarded, or the engine would not know what the sink holds after a lost checkpoint.
    public Task<BatchCommit?> ReadLastCommitAsync(string outputId, CancellationToken cancellationToken) =>
        inner.ReadLastCommitAsync(outputId, cancellationToken);

    public async Task CommitBatchAsync(IReadOnlyList<long> batch, BatchCommit commit, CancellationToken cancellationToken)
    {
        marks.Before();
        await inner.CommitBatchAsync(batch, commit, cancellationToken);
        marks.After();
    }
}

/// <summary>Passes checkpoint warnings (a damaged checkpoint skipped) on to the test.</summary>
internal sealed class WarningListener : IStreamingListener
{
    public void OnCheckpointWarning(string message) => Console.Out.WriteLine("WARNING " + message);
}
