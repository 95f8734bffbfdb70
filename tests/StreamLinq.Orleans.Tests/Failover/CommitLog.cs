using System.Collections.Concurrent;
using StreamLinq.Orleans.Tests.Support;

namespace StreamLinq.Orleans.Tests.Failover;

/// <summary>
/// A transactional sink in memory, as a real one keeps its commit records: per (output, key
/// partition) the last batch time and epoch committed. A batch at or before the last time is
/// skipped (a replay); a commit of an older epoch is refused (a zombie's).
/// </summary>
public sealed class CommitLog<T> : ITransactionalSink<T>
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string, int?), (long Time, long Epoch)> _last = [];
    private readonly BatchCollector<T> _batches = new();

    public Task CommitBatchAsync(IReadOnlyList<T> batch, BatchCommit commit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var key = (commit.OutputId, commit.Partition);
            if (_last.TryGetValue(key, out var last))
            {
                if (last.Epoch > commit.Epoch)
                {
                    throw new InvalidOperationException($"Batch {commit.Time} of {commit.OutputId}#{commit.Partition} from epoch {commit.Epoch} refused: epoch {last.Epoch} has committed since.");
                }

                if (last.Time >= commit.Time.Ticks)
                {
                    return Task.CompletedTask;
                }
            }

            _batches.Add(batch, commit.Time);
            _last[key] = (commit.Time.Ticks, commit.Epoch);
        }

        return Task.CompletedTask;
    }

    public Task WriteBatchAsync(IReadOnlyList<T> batch, BatchTime time, CancellationToken cancellationToken) =>
        CommitBatchAsync(batch, new BatchCommit("default", time, "{}"), cancellationToken);

    /// <summary>Every commit record: output, key partition, and the epoch that wrote it last.</summary>
    public IReadOnlyList<(string OutputId, int? Partition, long Epoch)> Records()
    {
        lock (_gate)
        {
            return _last.Select(r => (r.Key.Item1, r.Key.Item2, r.Value.Epoch)).ToArray();
        }
    }

    public List<T>[] Batches(int batches)
    {
        lock (_gate)
        {
            return _batches.Batches(batches);
        }
    }
}
