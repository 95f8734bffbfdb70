using System.Collections.Concurrent;

namespace StreamLinq.Tests.Support;

/// <summary>
/// Drives a context on a manual clock: each call to <see cref="RunBatchAsync"/> advances the
/// clock by one interval and waits until that batch has completed, so tests see exact batches.
/// </summary>
public sealed class StreamHarness : IStreamingListener, IAsyncDisposable
{
    private readonly ConcurrentDictionary<BatchTime, TaskCompletionSource<BatchInfo>> _completed = new();

    public StreamHarness(TimeSpan? interval = null, StreamingOptions? options = null)
    {
        Clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        Context = new StreamingContext(interval ?? TimeSpan.FromSeconds(1), (options ?? new StreamingOptions()) with { TimeProvider = Clock });
        Context.AddListener(this);
    }

    public FakeTimeProvider Clock { get; }

    public StreamingContext Context { get; }

    public ConcurrentQueue<Exception> SourceErrors { get; } = new();

    public ConcurrentQueue<RecordsDropped> Dropped { get; } = new();

    public BatchTime NextBatch { get; private set; }

    public async Task StartAsync()
    {
        await Context.StartAsync();
        NextBatch = new BatchTime(Context.BatchInterval.Ticks);
    }

    /// <summary>
    /// Advances the clock to the next batch time and waits for that batch to complete; with
    /// <paramref name="drive"/>, keeps advancing the clock by that step meanwhile, so that what the
    /// batch waits for on the clock (a retry's delay, a time-out) comes due.
    /// </summary>
    public async Task<BatchInfo> RunBatchAsync(TimeSpan? drive = null)
    {
        var time = NextBatch;
        NextBatch += Context.BatchInterval;
        var done = Completion(time);
        Clock.Advance(Context.BatchInterval);
        if (drive is { } step)
        {
            await Clock.AdvanceUntilAsync(done, step);
        }

        return await done.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public Task<BatchInfo> Completion(BatchTime time) =>
        _completed.GetOrAdd(time, _ => new TaskCompletionSource<BatchInfo>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    void IStreamingListener.OnBatchCompleted(BatchInfo batch) =>
        _completed.GetOrAdd(batch.Time, _ => new TaskCompletionSource<BatchInfo>(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(batch);

    void IStreamingListener.OnSourceError(string source, Exception error) => SourceErrors.Enqueue(error);

    void IStreamingListener.OnRecordsDropped(RecordsDropped dropped) => Dropped.Enqueue(dropped);

    public async ValueTask DisposeAsync() => await Context.DisposeAsync();

    /// <summary>A queue stream whose batches are the given collections, in order.</summary>
    public IDStream<T> Queue<T>(IEnumerable<IEnumerable<T>> batches) =>
        Context.QueueStream(new ConcurrentQueue<IEnumerable<T>>(batches.Select(b => (IEnumerable<T>)b.ToArray())));

    /// <summary>Collects every batch an output receives, by batch time.</summary>
    public static ConcurrentDictionary<BatchTime, T[]> Collect<T>(IDStream<T> stream)
    {
        var results = new ConcurrentDictionary<BatchTime, T[]>();
        stream.ForEachBatch((batch, time) => results[time] = batch.ToArray());
        return results;
    }
}
