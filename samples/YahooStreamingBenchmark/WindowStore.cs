using System.Collections.Concurrent;
using StackExchange.Redis;

namespace YahooStreamingBenchmark;

/// <summary>What the job keeps per campaign window: the views seen and when it last wrote them.</summary>
public readonly record struct WindowState(long SeenCount, long TimeUpdated);

/// <summary>Where the job writes its counts: Redis, as the original does, or memory.</summary>
public interface IWindowStore
{
    /// <summary>Adds one batch's counts: seen_count += count, time_updated = <paramref name="nowMs"/>.</summary>
    Task AddAsync(IReadOnlyList<WindowCount> counts, long nowMs, CancellationToken cancellationToken);

    /// <summary>Every window written so far.</summary>
    Task<IReadOnlyDictionary<CampaignWindow, WindowState>> ReadAllAsync(IEnumerable<Guid> campaigns);
}

/// <summary>An in-process store: the default, so the sample runs with no server.</summary>
public sealed class InMemoryWindowStore : IWindowStore
{
    private readonly ConcurrentDictionary<CampaignWindow, WindowState> _windows = new();

    public Task AddAsync(IReadOnlyList<WindowCount> counts, long nowMs, CancellationToken cancellationToken)
    {
        foreach (var count in counts)
        {
            _windows.AddOrUpdate(
                new CampaignWindow(count.CampaignId, count.WindowStart),
                new WindowState(count.Count, nowMs),
                (_, old) => new WindowState(old.SeenCount + count.Count, nowMs));
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyDictionary<CampaignWindow, WindowState>> ReadAllAsync(IEnumerable<Guid> campaigns) =>
        Task.FromResult<IReadOnlyDictionary<CampaignWindow, WindowState>>(new Dictionary<CampaignWindow, WindowState>(_windows));
}

/// <summary>
/// The original's Redis layout: hash <c>{campaign}</c> maps a window's start to the window's
/// key; hash <c>{campaign}:{window}</c> holds <c>seen_count</c> (HINCRBY) and <c>time_updated</c>;
/// set <c>{campaign}:windows</c> lists the campaign's windows (the original keeps a list under a
/// random UUID; a deterministic key lets a checker find it without the job's memory). Every key
/// starts with <c>prefix</c>, so that runs sharing a server do not add into each other's counts.
/// </summary>
public sealed class RedisWindowStore(IDatabase database, string prefix = "") : IWindowStore
{
    public async Task AddAsync(IReadOnlyList<WindowCount> counts, long nowMs, CancellationToken cancellationToken)
    {
        // One round trip for the batch: every command is pipelined, then awaited together.
        var writes = new List<Task>(counts.Count * 4);
        foreach (var count in counts)
        {
            var campaign = prefix + count.CampaignId;
            var window = count.WindowStart.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var windowKey = $"{campaign}:{window}";
            writes.Add(database.HashSetAsync(campaign, window, windowKey, When.NotExists));
            writes.Add(database.SetAddAsync($"{campaign}:windows", window));
            writes.Add(database.HashIncrementAsync(windowKey, "seen_count", count.Count));
            writes.Add(database.HashSetAsync(windowKey, "time_updated", nowMs));
        }

        await Task.WhenAll(writes).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyDictionary<CampaignWindow, WindowState>> ReadAllAsync(IEnumerable<Guid> campaigns)
    {
        var result = new Dictionary<CampaignWindow, WindowState>();
        foreach (var id in campaigns)
        {
            var campaign = prefix + id;
            foreach (var window in await database.SetMembersAsync($"{campaign}:windows").ConfigureAwait(false))
            {
                var fields = (await database.HashGetAllAsync($"{campaign}:{window}").ConfigureAwait(false)).ToDictionary(f => (string)f.Name!, f => (long)f.Value);
                result[new CampaignWindow(id, (long)window)] = new WindowState(fields["seen_count"], fields["time_updated"]);
            }
        }

        return result;
    }
}
