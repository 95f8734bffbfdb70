using StackExchange.Redis;

namespace YahooStreamingBenchmark.Cluster;

/// <summary>
/// Appends YSB events (the single-process sample's <see cref="EventGenerator"/>) to the run's
/// partition streams, round robin, each chunk pipelined in one round trip. The generator counts
/// the views of every campaign window it makes: the checker's side.
/// </summary>
public sealed class EventProducer(IConnectionMultiplexer redis, ClusterLayout layout)
{
    private const int ChunkSize = 5_000;
    private readonly EventGenerator _generator = new(Campaigns.Create());
    private readonly IReadOnlyList<string> _streams = layout.StreamKeys;

    /// <summary>Events appended so far.</summary>
    public long Appended => Interlocked.Read(ref _appended);

    private long _appended;

    /// <summary>The views appended per campaign window: what the job must have counted once it has read everything.</summary>
    public IReadOnlyDictionary<CampaignWindow, long> Expected => _generator.Expected;

    /// <summary>Appends <paramref name="count"/> events at once.</summary>
    public async Task AppendAsync(long count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            var chunk = (int)Math.Min(count, ChunkSize);
            await AppendChunkAsync(chunk, cancellationToken).ConfigureAwait(false);
            count -= chunk;
        }
    }

    /// <summary>Appends events at <paramref name="rate"/> per second for <paramref name="duration"/>.</summary>
    public async Task RunAsync(long rate, TimeSpan duration, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var total = (long)(rate * duration.TotalSeconds);
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (Appended < total && await tick.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            var due = Math.Min(total, (long)(started.Elapsed.TotalSeconds * rate));
            await AppendAsync(due - Appended, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task AppendChunkAsync(int count, CancellationToken cancellationToken)
    {
        var database = redis.GetDatabase();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var writes = new Task[count];
        for (var i = 0; i < count; i++)
        {
            var partition = (int)((_appended + i) % _streams.Count);
            writes[i] = database.StreamAddAsync(_streams[partition], "e", _generator.Next(now));
        }

        await Task.WhenAll(writes).WaitAsync(cancellationToken).ConfigureAwait(false);
        Interlocked.Add(ref _appended, count);
    }
}
