using MoviePlayerCheckpoints;
using StreamLinq;

namespace TestingYourQueries;

/// <summary>
/// The movie player's table in memory, written as its upsert writes it: a row moves only to a
/// checkpoint with a later user's time (<c>WHERE excluded.users_time &gt; t.users_time</c>).
/// </summary>
public sealed class PositionTable : IBatchSink<PlayerCheckpoint>
{
    private readonly Dictionary<string, PlayerCheckpoint> _rows = [];

    public IEnumerable<PlayerCheckpoint> Rows => _rows.Values;

    public Task WriteBatchAsync(IReadOnlyList<PlayerCheckpoint> batch, BatchTime time, CancellationToken cancellationToken)
    {
        foreach (var checkpoint in batch)
        {
            if (!_rows.TryGetValue(checkpoint.User, out var row) || checkpoint.UsersTime > row.UsersTime)
            {
                _rows[checkpoint.User] = checkpoint;
            }
        }

        return Task.CompletedTask;
    }
}
