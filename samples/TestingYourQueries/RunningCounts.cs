namespace TestingYourQueries;

/// <summary>
/// Deliberately broken: a job's own per-user counter, kept in a dictionary the engine does not
/// know about, so it is not checkpointed and starts empty after a restart.
/// </summary>
public sealed class RunningCounts
{
    private readonly Dictionary<string, int> _counts = [];

    public KeyValuePair<string, int> Add(string user)
    {
        lock (_counts)
        {
            var count = _counts.GetValueOrDefault(user) + 1;
            _counts[user] = count;
            return new(user, count);
        }
    }
}
