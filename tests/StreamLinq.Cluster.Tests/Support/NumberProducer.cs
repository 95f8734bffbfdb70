using StackExchange.Redis;

namespace StreamLinq.Cluster.Tests.Support;

/// <summary>
/// Appends uniquely numbered records (a field <c>n</c>: 1, 2, 3...) round robin to the source's
/// streams, a small chunk every few milliseconds, until stopped. <see cref="Appended"/> counts
/// only what Redis acknowledged, so after <see cref="StopAsync"/> the numbers 1..Appended are
/// exactly the records the job must write.
/// </summary>
internal sealed class NumberProducer(IDatabase redis, IReadOnlyList<string> streams, int perSecond)
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(20);
    private readonly CancellationTokenSource _stop = new();
    private Task? _running;
    private long _appended;

    public long Appended => Interlocked.Read(ref _appended);

    public void Start() => _running = RunAsync(_stop.Token);

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _running!;
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var perTick = Math.Max(1, (int)(perSecond * Tick.TotalSeconds));
        using var timer = new PeriodicTimer(Tick);
        while (await WaitAsync(timer, stop))
        {
            var batch = redis.CreateBatch();
            var appends = new List<Task>(perTick);
            for (var i = 1; i <= perTick; i++)
            {
                var n = _appended + i;
                appends.Add(batch.StreamAddAsync(streams[(int)(n % streams.Count)], "n", n));
            }

            batch.Execute();
            await Task.WhenAll(appends);
            Interlocked.Add(ref _appended, perTick);
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stop)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stop);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
