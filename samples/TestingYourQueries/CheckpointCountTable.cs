using MoviePlayerCheckpoints;
using StreamLinq;

namespace TestingYourQueries;

/// <summary>
/// Deliberately broken: counts each user's checkpoints with a plain increment
/// (<c>UPDATE ... SET checkpoints = checkpoints + n</c>), so a replayed batch is counted twice.
/// </summary>
public sealed class CheckpointCountTable : IBatchSink<PlayerCheckpoint>
{
    private readonly Dictionary<string, int> _rows = [];

    public IEnumerable<KeyValuePair<string, int>> Rows => _rows;

    public Task WriteBatchAsync(IReadOnlyList<PlayerCheckpoint> batch, BatchTime time, CancellationToken cancellationToken)
    {
        foreach (var checkpoint in batch)
        {
            _rows[checkpoint.User] = _rows.GetValueOrDefault(checkpoint.User) + 1;
        }

        return Task.CompletedTask;
    }
}
